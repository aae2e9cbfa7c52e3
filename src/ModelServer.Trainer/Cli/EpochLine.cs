using System.Globalization;
using ModelServer.Trainer.Training;

namespace ModelServer.Trainer.Cli;

internal static class EpochLine
{
    public static string Format(EpochMetrics m, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {m.Epoch}/{epochs} loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P1} | {Validation(m)} | {m.Seconds:F0}s {m.ImagesPerSecond:F0} img/s");

    // With no validation images (--val-fraction 0, the final model after --folds) there is nothing to show, not NaN.
    private static string Validation(EpochMetrics m) => double.IsNaN(m.ValidationAccuracy)
        ? "no validation images"
        : string.Create(CultureInfo.InvariantCulture, $"val_loss {m.ValidationLoss:F4} val_acc {m.ValidationAccuracy:P1}");
}
