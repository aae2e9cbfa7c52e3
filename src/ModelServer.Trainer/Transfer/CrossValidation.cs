using System.Globalization;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Evaluation;
using ModelServer.Trainer.Training;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// K-fold cross-validation of the head on cached features: for each fold, a head trained on the other folds' photos
/// and their augmented copies (standardised with those rows' statistics, as the exported graph would be) and scored
/// on the fold's original photos. The backbone runs once for all folds, so K folds cost K head trainings.
/// </summary>
public static class CrossValidation
{
    /// <param name="features">Rows for <paramref name="indices"/>, the originals first, then each augmented copy in the same order (what <see cref="FeatureExtractor.Extract"/> returns).</param>
    /// <param name="indices">The dataset index of each original row.</param>
    /// <param name="fold">The fold of every dataset sample (<see cref="CrossValidationFolds.Assign"/>).</param>
    /// <param name="unit">What the folds kept whole, for the log and the report.</param>
    public static CrossValidationReport Run(
        FeatureSet features, int[] indices, DecodedDataset dataset, int[] fold, int folds, FoldUnit unit, TrainingOptions options, int hidden, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(fold);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        int originals = indices.Length;
        if (originals == 0 || features.Count % originals != 0)
        {
            throw new ArgumentException($"{features.Count} feature rows are not a whole number of copies of {originals} photos.", nameof(features));
        }

        int copies = features.Count / originals;
        var pooled = new ConfusionMatrix(dataset.ClassNames);
        var perFold = new List<FoldResult>();
        var none = new FeatureSet([], [], features.Width);
        string by = FoldUnits.Name(unit);
        log($"Cross-validation by {by}: {folds} heads, each trained {options.Epochs} epochs without one fold's photos and scored on them.");
        for (int f = 0; f < folds; f++)
        {
            int[] held = [.. Enumerable.Range(0, originals).Where(p => fold[indices[p]] == f)];
            int[] kept = [.. Enumerable.Range(0, originals).Where(p => fold[indices[p]] != f)];
            var train = features.Rows([.. Enumerable.Range(0, copies).SelectMany(c => kept.Select(p => (c * originals) + p))]);
            var validation = features.Rows(held);
            var (mean, std) = train.Statistics();
            // No validation rows while training: the head keeps its last epoch, as the model trained on all photos does.
            // Its epochs are not reported one by one: K × epochs lines with no validation numbers would bury the folds'.
            var (head, _, _, _) = HeadTrainer.Train(train.Standardize(mean, std), none, dataset.ClassNames, options.Epochs, options.BatchSize, options.Seed, SilentProgress.Instance, hidden);
            using (head)
            {
                var (_, confusion) = HeadTrainer.Evaluate(head, validation.Standardize(mean, std), dataset.ClassNames);
                pooled.Add(confusion);
                int clips = held.Select(p => dataset.Samples[indices[p]].Clip).Distinct(StringComparer.Ordinal).Count();
                perFold.Add(new FoldResult(f + 1, kept.Length, held.Length, clips, confusion.Accuracy));
                log(string.Create(CultureInfo.InvariantCulture,
                    $"Fold {f + 1}/{folds}: trained on {kept.Length} photos, {held.Length} held out ({clips} clips): {confusion.Accuracy:P1} at the last epoch."));
            }
        }

        log(string.Create(CultureInfo.InvariantCulture,
            $"Cross-validation, {folds} folds by {by}: {pooled.Accuracy:P2} of {pooled.Total} photos (folds {perFold.Min(r => r.Accuracy):P1} to {perFold.Max(r => r.Accuracy):P1})."));
        return new CrossValidationReport(folds, by, pooled.Total, pooled.Accuracy, perFold, pooled.ToRows());
    }
}
