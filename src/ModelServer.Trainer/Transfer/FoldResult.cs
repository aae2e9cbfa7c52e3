namespace ModelServer.Trainer.Transfer;

/// <summary>One fold of a cross-validation: a head trained on the other folds, scored on this one.</summary>
/// <param name="Fold">1-based.</param>
/// <param name="TrainImages">Photos the head trained on (each with its augmented copies).</param>
/// <param name="ValidationImages">Photos held out.</param>
/// <param name="ValidationClips">Clips those photos come from.</param>
/// <param name="Accuracy">On the held-out photos, at the last epoch.</param>
public sealed record FoldResult(int Fold, int TrainImages, int ValidationImages, int ValidationClips, double Accuracy);
