namespace ModelServer.Runtime.Batching;

/// <summary>
/// Server-wide batching: on for every model when <c>--enable_batching</c> is given, with the settings of
/// <c>--batching_parameters_file</c> (TF Serving's defaults without one). A model's <c>config.json</c> "batching"
/// section overrides both for that model.
/// </summary>
public sealed record BatchingServerOptions
{
    public bool EnableBatching { get; init; }

    public BatchingOptions Parameters { get; init; } = new();
}
