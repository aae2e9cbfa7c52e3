namespace ModelServer.Trainer.Training;

/// <summary>Everything a training run reports, written as training-log.json next to the model.</summary>
public sealed record TrainingSummary(
    string Command,
    string Architecture,
    string ArchitectureDescription,
    long Parameters,
    int ImageSize,
    int EpochsPlanned,
    int EpochsRun,
    int BatchSize,
    int Seed,
    double ValidationFraction,
    IReadOnlyList<string> Labels,
    int TrainImages,
    int ValidationImages,
    int SkippedImages,
    IReadOnlyList<string> SkippedFiles,
    int BestEpoch,
    double BestValidationAccuracy,
    IReadOnlyList<EpochMetrics> History,
    int[][] ValidationConfusion,
    double TrainingSeconds,
    double MeanTrainImagesPerSecond,
    double ParityMaxProbabilityDifference,
    double ParityMaxLogitDifference,
    long ModelBytes,
    DateTimeOffset FinishedAt);
