using System.Globalization;
using ModelServer.Trainer.Training;
using Spectre.Console;

namespace ModelServer.Trainer.Cli;

/// <summary>One Spectre.Console progress bar per epoch, captioned with the running numbers.</summary>
internal sealed class LiveTrainingProgress(ProgressContext context) : ITrainingProgress
{
    private ProgressTask? task;
    private int epochs;

    public void EpochStarted(int epoch, int epochs, int batches)
    {
        this.epochs = epochs;
        task = context.AddTask($"epoch {epoch}/{epochs}", maxValue: batches);
    }

    public void BatchCompleted(int epoch, int batch, double runningLoss, double runningAccuracy)
    {
        if (task is null)
        {
            return;
        }

        task.Value = batch;
        task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs} loss {runningLoss:F4} acc {runningAccuracy:P1}");
    }

    public void EpochCompleted(EpochMetrics metrics)
    {
        if (task is null)
        {
            return;
        }

        task.Description = Markup.Escape(EpochLine.Format(metrics, epochs));
        task.StopTask();
    }
}
