using ModelServer.Trainer.Data;

namespace ModelServer.Trainer.Evaluation;

/// <summary>The outcome of scoring a model on a labelled folder.</summary>
public sealed record EvaluationReport(ConfusionMatrix Confusion, IReadOnlyList<SkippedImage> Skipped, double Seconds);
