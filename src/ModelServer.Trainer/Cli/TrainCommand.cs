using System.Globalization;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Native;
using ModelServer.Trainer.Training;
using ModelServer.Trainer.Transfer;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelServer.Trainer.Cli;

/// <summary><c>train</c>: data folder → trained, verified ONNX model with logs and plot.</summary>
public sealed class TrainCommand : Command<TrainSettings>
{
    public override int Execute(CommandContext context, TrainSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        TorchNativeLibrary.EnsureLoaded();
        var options = new TrainingOptions(settings.Epochs, settings.BatchSize, settings.Seed, settings.ValidationFraction ?? (settings.Folds > 0 ? 0 : 0.2),
            AugmentationOptions.Named(settings.Augment),
            settings.TimeLimitMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null);
        var request = new TrainingRequest(settings.Data!, settings.Arch.ToLowerInvariant(), settings.ImageSize, settings.Out, options,
            CommandLineText.Current());
        Func<ITrainingProgress, TrainingSummary> run = TransferArchitectures.IsTransfer(request.Architecture)
            ? progress => TransferPipeline.Run(request, new TransferOptions(settings.Backbone ?? TransferArchitectures.DefaultBackbonePath(request.Architecture), settings.FeatureCopies, settings.HeadHidden, settings.FineTuneEpochs, settings.FineTuneStages, settings.Folds, settings.FoldUnit), progress, Log)
            : progress => TrainingPipeline.Run(request, progress, Log);
        TrainingSummary summary;
        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            summary = AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx => run(new LiveTrainingProgress(ctx)));
        }
        else
        {
            summary = run(new LineTrainingProgress(Console.Out));
        }

        string outcome = summary switch
        {
            { CrossValidation: { } cv } => $"Cross-validation ({cv.Folds} folds by {cv.Unit}, last epoch): {cv.Accuracy:P2} of {cv.Images} photos. The model trained on all of them, last epoch ({summary.EpochsRun}).",
            { ValidationImages: > 0 } => $"Best epoch {summary.BestEpoch}: validation accuracy {summary.BestValidationAccuracy:P2}.",
            _ => $"No validation images (--val-fraction 0): kept the last epoch, {summary.EpochsRun}.",
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{outcome} Trained in {summary.TrainingSeconds:F0} s "
            + $"({summary.MeanTrainImagesPerSecond:F1} img/s). Wrote {Path.GetFullPath(settings.Out)}/{TrainingArtifacts.Model} ({summary.ModelBytes} bytes)."));
        return 0;
    }

    private static void Log(string message)
    {
        Console.WriteLine(message);
        Console.Out.Flush();
    }
}
