namespace ModelServer.Trainer.Data;

/// <summary>
/// Deals samples into K folds for cross-validation, keeping each group (a clip, a video or a photo:
/// <see cref="FoldUnit"/>) whole. One held-out split of this data set is ~380 photos from ~100 clips, and its accuracy
/// moves by several points with the seed; K folds score every photo once.
/// </summary>
public static class CrossValidationFolds
{
    /// <summary>The fold (0 to <paramref name="folds"/> − 1) of each sample.</summary>
    /// <exception cref="DatasetException">Fewer groups than folds: some fold would hold none of a class (or nothing).</exception>
    public static int[] Assign(IReadOnlyList<ImageSample> samples, IReadOnlyList<string> classNames, int folds, int seed, FoldUnit unit = FoldUnit.Clip)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var fold = new int[samples.Count];
        var random = new Random(seed);
        if (unit == FoldUnit.Video)
        {
            int[][] videos = ClipGroups.PerVideo(samples, classNames);
            if (videos.Length < folds)
            {
                throw new DatasetException($"The data has {videos.Length} video(s); --folds {folds} --fold-by video needs at least {folds}.");
            }

            random.Shuffle(videos);
            // Largest first (a stable sort keeps the seeded order among equals): videos range from 1 to ~100 photos.
            Deal([.. videos.OrderByDescending(v => v.Length)], fold, folds);
            return fold;
        }

        foreach (var (label, clips) in ClipGroups.PerClass(samples))
        {
            int[][] groups = unit == FoldUnit.Photo ? [.. clips.SelectMany(c => c).Order().Select(i => new[] { i })] : clips;
            if (groups.Length < folds)
            {
                string what = unit == FoldUnit.Photo ? "photo(s)" : "clip(s)";
                throw new DatasetException(
                    $"Class '{classNames[label]}' has {groups.Length} {what}; --folds {folds} needs at least {folds} so that every fold holds some of it.");
            }

            random.Shuffle(groups);
            Deal(groups, fold, folds);
        }

        return fold;
    }

    /// <summary>
    /// Each group goes to the fold with the fewest photos of these groups so far (the lowest number on a tie): clips
    /// range from 1 to ~20 photos, and dealing them in turn would leave folds of very different sizes.
    /// </summary>
    private static void Deal(int[][] groups, int[] fold, int folds)
    {
        var size = new int[folds];
        foreach (int[] group in groups)
        {
            int target = 0;
            for (int f = 1; f < folds; f++)
            {
                if (size[f] < size[target])
                {
                    target = f;
                }
            }

            foreach (int i in group)
            {
                fold[i] = target;
            }

            size[target] += group.Length;
        }
    }
}
