using ModelServer.Trainer.Data;

namespace ModelServer.Trainer.Training;

/// <summary>What one training run does. Same options, data and machine: same model.</summary>
public sealed record TrainingOptions(
    int Epochs,
    int BatchSize,
    int Seed,
    double ValidationFraction,
    AugmentationOptions Augmentation);
