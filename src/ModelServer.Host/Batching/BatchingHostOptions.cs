namespace ModelServer.Host.Batching;

/// <summary>TF Serving's batching flags (section <c>ModelServer</c>): <c>--enable_batching</c>, <c>--batching_parameters_file</c>.</summary>
public sealed class BatchingHostOptions
{
    /// <summary>Batch every model's requests (a model's config.json "batching" section overrides, or turns it off).</summary>
    public bool EnableBatching { get; set; }

    /// <summary>Text <c>BatchingParameters</c>; TF Serving's defaults without one.</summary>
    public string? BatchingParametersFile { get; set; }
}
