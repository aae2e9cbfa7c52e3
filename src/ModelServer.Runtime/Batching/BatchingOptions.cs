using System.Globalization;

namespace ModelServer.Runtime.Batching;

/// <summary>
/// One version's batching settings: TF Serving's <c>BatchingParameters</c> with its defaults, as the server-wide
/// <c>--batching_parameters_file</c> or a model's <c>config.json</c> "batching" section gives them. The Host maps
/// the proto into this record, so the Runtime stays proto-free.
/// </summary>
public sealed record BatchingOptions
{
    /// <summary>Largest batch (splitting off) or largest single request (splitting on). TF Serving's default is 1000.</summary>
    public long MaxBatchSize { get; init; } = 1000;

    /// <summary>How long the oldest queued request may wait for company; 0 sends whatever is queued as soon as a runner is free.</summary>
    public long BatchTimeoutMicros { get; init; }

    /// <summary>Queue bound, in batches of <see cref="ExecutionBatchSize"/> rows waiting to run.</summary>
    public long MaxEnqueuedBatches { get; init; } = 10;

    /// <summary>Batches of one version that run at once.</summary>
    public long NumBatchThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Largest batch run when splitting is on (TF Serving's <c>max_execution_batch_size</c>); null = <see cref="MaxBatchSize"/>.</summary>
    public long? MaxExecutionBatchSize { get; init; }

    /// <summary>Batch sizes the model runs at; a batch is padded up to the next one (padding rows' results are dropped).</summary>
    public IReadOnlyList<long> AllowedBatchSizes { get; init; } = [];

    /// <summary>Split a request across batches when it does not fit the batch being formed.</summary>
    public bool EnableLargeBatchSplitting { get; init; }

    /// <summary>Merge requests whose non-batch dimensions differ by zero-padding them to the largest in the batch.</summary>
    public bool PadVariableLengthInputs { get; init; }

    /// <summary>Rows in the largest batch run.</summary>
    public long ExecutionBatchSize => EnableLargeBatchSplitting ? MaxExecutionBatchSize ?? MaxBatchSize : MaxBatchSize;

    /// <summary>The first problem with these settings, in TF Serving's words where it has them; null when valid.</summary>
    public string? Validate()
    {
        if (MaxBatchSize < 1)
        {
            return Text($"max_batch_size must be positive; was {MaxBatchSize}");
        }

        if (BatchTimeoutMicros < 0)
        {
            return Text($"batch_timeout_micros must be non-negative; was {BatchTimeoutMicros}");
        }

        if (MaxEnqueuedBatches < 1)
        {
            return Text($"max_enqueued_batches must be positive; was {MaxEnqueuedBatches}");
        }

        if (NumBatchThreads < 1)
        {
            return Text($"num_batch_threads must be positive; was {NumBatchThreads}");
        }

        if (MaxExecutionBatchSize is { } execution && (execution < 1 || execution > MaxBatchSize))
        {
            return Text($"max_execution_batch_size must be positive and at most max_batch_size ({MaxBatchSize}); was {execution}");
        }

        if (ExecutionBatchSize > int.MaxValue / 2)
        {
            return Text($"max_batch_size {ExecutionBatchSize} is too large");
        }

        if (AllowedBatchSizes.Count == 0)
        {
            return null;
        }

        for (var i = 0; i < AllowedBatchSizes.Count; i++)
        {
            if (AllowedBatchSizes[i] < 1 || (i > 0 && AllowedBatchSizes[i] <= AllowedBatchSizes[i - 1]))
            {
                return "allowed_batch_sizes entries must be monotonically increasing";
            }
        }

        var last = AllowedBatchSizes[^1];
        if (!EnableLargeBatchSplitting)
        {
            return last == MaxBatchSize
                ? null
                : Text($"Last entry in allowed_batch_sizes must match max_batch_size; last entry was {last}; expected {MaxBatchSize}");
        }

        if (last > MaxBatchSize)
        {
            return Text($"Last entry in allowed_batch_sizes must be less than or equal to max_batch_size; last entry was {last}; expected {MaxBatchSize}");
        }

        return last == ExecutionBatchSize
            ? null
            : Text($"Last entry in allowed_batch_sizes must be equal to max_execution_batch_size; last entry was {last}; expected {ExecutionBatchSize}");
    }

    /// <summary>The batch size a batch of <paramref name="rows"/> runs at: the next allowed size, or itself.</summary>
    public long PaddedSize(long rows)
    {
        foreach (var size in AllowedBatchSizes)
        {
            if (size >= rows)
            {
                return size;
            }
        }

        return rows;
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
