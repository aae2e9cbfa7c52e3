namespace ModelServer.Trainer.Transfer;

/// <summary>
/// What <c>train --folds K</c> measured: every photo scored once by a head that never saw its fold (by default, its
/// clip), each head at its last epoch, as the model trained on all photos is kept.
/// </summary>
/// <param name="Folds">K.</param>
/// <param name="Unit">What each fold kept whole: clip, video or photo (<c>--fold-by</c>).</param>
/// <param name="Images">Photos scored (all of them).</param>
/// <param name="Accuracy">Share of all photos scored right, pooled over the folds.</param>
/// <param name="PerFold">Each fold's own numbers.</param>
/// <param name="Confusion">Pooled confusion matrix, rows actual, columns predicted.</param>
public sealed record CrossValidationReport(int Folds, string Unit, int Images, double Accuracy, IReadOnlyList<FoldResult> PerFold, int[][] Confusion);
