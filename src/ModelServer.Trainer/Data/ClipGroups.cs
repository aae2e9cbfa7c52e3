namespace ModelServer.Trainer.Data;

/// <summary>The samples of each class grouped by clip, the unit that splits and folds keep whole.</summary>
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
}
