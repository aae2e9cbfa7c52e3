using ModelServer.Trainer.Data;

namespace ModelServer.Trainer.Training;

/// <summary>
/// What one training run does. Same options, data and machine: same model. A time limit stops
/// after the last epoch expected to fit (the epoch count then depends on the machine's speed).
/// </summary>
public sealed record TrainingOptions(
    int Epochs,
    int BatchSize,
    int Seed,
    double ValidationFraction,
    AugmentationOptions Augmentation,
    TimeSpan? TimeLimit = null);
