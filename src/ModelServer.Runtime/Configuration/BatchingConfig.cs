using System.Text.Json.Serialization;
using ModelServer.Runtime.Batching;

namespace ModelServer.Runtime.Configuration;

/// <summary>
/// The "batching" section of a model's <c>config.json</c>: TF Serving's <c>BatchingParameters</c> fields with their
/// names, plus <c>enabled</c>. Unset fields take the server-wide value (<c>--batching_parameters_file</c>), then
/// TF Serving's default. A section turns batching on for the model even without <c>--enable_batching</c>;
/// <c>"enabled": false</c> turns it off for the model.
/// </summary>
public sealed class BatchingConfig
{
    [JsonPropertyName("enabled")]
    public bool? Enabled { get; set; }

    [JsonPropertyName("max_batch_size")]
    public long? MaxBatchSize { get; set; }

    [JsonPropertyName("batch_timeout_micros")]
    public long? BatchTimeoutMicros { get; set; }

    [JsonPropertyName("max_enqueued_batches")]
    public long? MaxEnqueuedBatches { get; set; }

    [JsonPropertyName("num_batch_threads")]
    public long? NumBatchThreads { get; set; }

    [JsonPropertyName("max_execution_batch_size")]
    public long? MaxExecutionBatchSize { get; set; }

    [JsonPropertyName("allowed_batch_sizes")]
    public List<long>? AllowedBatchSizes { get; set; }

    [JsonPropertyName("enable_large_batch_splitting")]
    public bool? EnableLargeBatchSplitting { get; set; }

    [JsonPropertyName("pad_variable_length_inputs")]
    public bool? PadVariableLengthInputs { get; set; }

    /// <summary>The model's settings over <paramref name="defaults"/>; null when the section turns batching off.</summary>
    public BatchingOptions? ToOptions(BatchingOptions defaults)
    {
        if (Enabled == false)
        {
            return null;
        }

        return defaults with
        {
            MaxBatchSize = MaxBatchSize ?? defaults.MaxBatchSize,
            BatchTimeoutMicros = BatchTimeoutMicros ?? defaults.BatchTimeoutMicros,
            MaxEnqueuedBatches = MaxEnqueuedBatches ?? defaults.MaxEnqueuedBatches,
            NumBatchThreads = NumBatchThreads ?? defaults.NumBatchThreads,
            MaxExecutionBatchSize = MaxExecutionBatchSize ?? defaults.MaxExecutionBatchSize,
            AllowedBatchSizes = AllowedBatchSizes ?? defaults.AllowedBatchSizes,
            EnableLargeBatchSplitting = EnableLargeBatchSplitting ?? defaults.EnableLargeBatchSplitting,
            PadVariableLengthInputs = PadVariableLengthInputs ?? defaults.PadVariableLengthInputs,
        };
    }
}
