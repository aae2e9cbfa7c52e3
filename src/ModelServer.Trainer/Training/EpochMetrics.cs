namespace ModelServer.Trainer.Training;

/// <summary>The numbers of one epoch, as logged to JSON/CSV and plotted.</summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double ValidationLoss,
    double ValidationAccuracy,
    double LearningRate,
    double Seconds,
    double ImagesPerSecond);
