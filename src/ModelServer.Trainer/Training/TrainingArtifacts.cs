using ModelServer.Trainer.Evaluation;

namespace ModelServer.Trainer.Training;

/// <summary>What a training run writes into its output folder, and the writing of it.</summary>
public static class TrainingArtifacts
{
    public const string Model = "model.onnx";
    public const string JsonLog = "training-log.json";
    public const string CsvLog = "training-log.csv";
    public const string Plot = "training-plot.png";
    public const string Confusion = "validation-confusion.md";

    /// <summary>Model, logs, plot and confusion matrix, written atomically (see <see cref="TrainingPipeline.WriteAtomically"/>).</summary>
    public static void Write(string output, byte[] model, TrainingSummary summary, string plotTitle, ConfusionMatrix confusion)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(confusion);
        TrainingPipeline.WriteAtomically(output, staging =>
        {
            File.WriteAllBytes(Path.Combine(staging, Model), model);
            TrainingLogWriter.WriteJson(summary, Path.Combine(staging, JsonLog));
            TrainingLogWriter.WriteCsv(summary.History, Path.Combine(staging, CsvLog));
            TrainingPlot.Save(summary.History, plotTitle, Path.Combine(staging, Plot));
            File.WriteAllText(Path.Combine(staging, Confusion), summary.CrossValidation is { } cv
                ? $"Cross-validation confusion matrix ({cv.Folds} folds by {cv.Unit}, each head at its last epoch, {cv.Images} images):\n\n"
                    + ConfusionMatrix.FromRows(summary.Labels, cv.Confusion).ToMarkdown()
                : $"Validation confusion matrix (best epoch {summary.BestEpoch}, {summary.ValidationImages} images):\n\n{confusion.ToMarkdown()}");
        });
    }
}
