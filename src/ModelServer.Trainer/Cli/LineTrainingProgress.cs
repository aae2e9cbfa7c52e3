using ModelServer.Trainer.Training;

namespace ModelServer.Trainer.Cli;

/// <summary>Plain progress for redirected output (logs, CI): one line per epoch.</summary>
internal sealed class LineTrainingProgress(TextWriter output) : ITrainingProgress
{
    private int epochs;

    public void EpochStarted(int epoch, int epochs, int batches) => this.epochs = epochs;

    public void BatchCompleted(int epoch, int batch, double runningLoss, double runningAccuracy)
    {
    }

    public void EpochCompleted(EpochMetrics metrics)
    {
        output.WriteLine(EpochLine.Format(metrics, epochs));
        output.Flush();
    }
}
