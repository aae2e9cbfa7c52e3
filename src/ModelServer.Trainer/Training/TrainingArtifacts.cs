namespace ModelServer.Trainer.Training;

/// <summary>File names a training run writes into its output folder.</summary>
public static class TrainingArtifacts
{
    public const string Model = "model.onnx";
    public const string JsonLog = "training-log.json";
    public const string CsvLog = "training-log.csv";
    public const string Plot = "training-plot.png";
    public const string Confusion = "validation-confusion.md";
}
