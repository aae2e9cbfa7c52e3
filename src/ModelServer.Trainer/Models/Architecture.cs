namespace ModelServer.Trainer.Models;

/// <summary>A named network: its layers (input NCHW, output logits) and how to train it.</summary>
public sealed record Architecture(
    string Name,
    string Description,
    int ImageSize,
    IReadOnlyList<LayerSpec> Layers,
    OptimizerKind Optimizer,
    double LearningRate,
    double WeightDecay,
    bool CosineSchedule)
{
    public int ClassCount => Layers[^1].Out;
}
