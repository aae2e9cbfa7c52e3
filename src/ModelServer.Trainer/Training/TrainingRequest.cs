namespace ModelServer.Trainer.Training;

/// <summary>The inputs of <c>train</c>: where the data is, what to build, where the results go.</summary>
public sealed record TrainingRequest(
    string DataDirectory,
    string Architecture,
    int ImageSize,
    string OutputDirectory,
    TrainingOptions Options,
    string CommandLine);
