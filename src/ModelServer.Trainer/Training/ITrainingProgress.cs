namespace ModelServer.Trainer.Training;

/// <summary>Receives progress of a training run (the CLI draws a bar per epoch; tests ignore it).</summary>
public interface ITrainingProgress
{
    void EpochStarted(int epoch, int epochs, int batches);

    void BatchCompleted(int epoch, int batch, double runningLoss, double runningAccuracy);

    void EpochCompleted(EpochMetrics metrics);
}
