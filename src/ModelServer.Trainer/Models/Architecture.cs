namespace ModelServer.Trainer.Models;

/// <summary>
/// A named network: its layers (input NCHW, output logits) and how to train it. Label smoothing
/// spreads that share of each target over all classes, which keeps a small network from becoming
/// over-confident on the few backgrounds it has seen.
/// </summary>
public sealed record Architecture(
    string Name,
    string Description,
    int ImageSize,
    IReadOnlyList<LayerSpec> Layers,
    OptimizerKind Optimizer,
    double LearningRate,
    double WeightDecay,
    bool CosineSchedule,
    double LabelSmoothing = 0)
{
    public int ClassCount => Layers[^1].Out;
}
