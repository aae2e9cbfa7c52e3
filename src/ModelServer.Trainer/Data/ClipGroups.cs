namespace ModelServer.Trainer.Data;

/// <summary>The samples grouped by clip (per class) or by video (across classes), the units splits and folds keep whole.</summary>
internal static class ClipGroups
{
    /// <summary>
    /// Per class, in label order: its clips, each the sample indices of one clip, ordered by clip name so that a later
    /// seeded shuffle depends on the seed only.
    /// </summary>
    public static IEnumerable<(int Label, int[][] Clips)> PerClass(IReadOnlyList<ImageSample> samples) =>
        samples.Select((s, i) => (s, i))
            .GroupBy(x => x.s.Label)
            .OrderBy(g => g.Key)
            .Select(byClass => (byClass.Key, byClass.GroupBy(x => x.s.Clip, StringComparer.Ordinal)
                .OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => c.Select(x => x.i).ToArray())
                .ToArray()));

    /// <summary>The sample indices of each video (<see cref="ClipKey.Video"/>) across classes, ordered by video name.</summary>
    public static int[][] PerVideo(IReadOnlyList<ImageSample> samples, IReadOnlyList<string> classNames) =>
        [.. samples.Select((s, i) => (Video: ClipKey.Video(s.Clip, classNames[s.Label]), i))
            .GroupBy(x => x.Video, StringComparer.Ordinal)
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => v.Select(x => x.i).ToArray())];
}
