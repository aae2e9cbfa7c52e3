namespace ModelServer.Trainer.Data;

/// <summary>
/// Splits samples into training and validation by whole clips, per class, so near-duplicate frames
/// never sit on both sides and every class is represented in validation.
/// </summary>
public static class ValidationSplit
{
    public static (int[] Train, int[] Validation) ByClip(IReadOnlyList<ImageSample> samples, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(validationFraction, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(validationFraction, 1.0);
        var train = new List<int>();
        var validation = new List<int>();
        var random = new Random(seed);
        foreach (var (_, clips) in ClipGroups.PerClass(samples))
        {
            random.Shuffle(clips);
            int total = clips.Sum(c => c.Length);
            int target = (int)Math.Round(total * validationFraction);
            int taken = 0;
            foreach (int[] clip in clips)
            {
                // Never empty the training side of a class.
                bool toValidation = taken < target && clips.Length > 1 && taken + clip.Length < total;
                (toValidation ? validation : train).AddRange(clip);
                if (toValidation)
                {
                    taken += clip.Length;
                }
            }
        }

        train.Sort();
        validation.Sort();
        return ([.. train], [.. validation]);
    }
}
