namespace ModelServer.Trainer.Training;

/// <summary>Progress sink that reports nothing.</summary>
public sealed class SilentProgress : ITrainingProgress
{
    public static SilentProgress Instance { get; } = new();

    public void EpochStarted(int epoch, int epochs, int batches)
    {
    }

    public void BatchCompleted(int epoch, int batch, double runningLoss, double runningAccuracy)
    {
    }

    public void EpochCompleted(EpochMetrics metrics)
    {
    }
}
