using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ModelServer.Runtime.Configuration;
using ModelServer.Runtime.Inference;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Batching;

/// <summary>
/// The inference runner of a server with batching: one <see cref="VersionBatcher"/> per served version whose model
/// batches (its <c>config.json</c> "batching" section, or <c>--enable_batching</c>), made on the version's first
/// request; other versions run directly on the caller's thread.
/// </summary>
/// <remarks>
/// Settings are read once per version, so a changed "batching" section applies to versions loaded after it. A
/// queue whose version is no longer served is dropped once it is empty (checked when a new queue is made and once
/// a minute); it holds no thread and no model reference of its own, only its requests' handles do.
/// </remarks>
public sealed class BatchingInferenceRunner : IInferenceRunner, IRequestAdmission, IDisposable
{
    private static readonly TimeSpan PrunePeriod = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<ServableVersion, VersionBatcher?> _batchers = new();
    private readonly object _createGate = new();
    private readonly BatchingServerOptions _server;
    private readonly IBatchingMetrics _metrics;
    private readonly IBatchExecutor _executor;
    private readonly TimeProvider _time;
    private readonly ILogger<BatchingInferenceRunner> _logger;
    private readonly ITimer _pruneTimer;

    public BatchingInferenceRunner(BatchingServerOptions server, IBatchingMetrics metrics, IBatchExecutor executor, TimeProvider time, ILogger<BatchingInferenceRunner> logger)
    {
        _server = server;
        _metrics = metrics;
        _executor = executor;
        _time = time;
        _logger = logger;
        _pruneTimer = time.CreateTimer(static state => ((BatchingInferenceRunner)state!).Prune(), this, PrunePeriod, PrunePeriod);
    }

    public ValueTask<IReadOnlyList<Tensor>> RunAsync(
        ServableHandle servable,
        IReadOnlyList<string> inputNames,
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<string> outputNames,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var batcher = GetBatcher(servable);
            if (batcher is null)
            {
                return ValueTask.FromResult(_executor.Run(servable, inputNames, inputs, outputNames, cancellationToken));
            }

            if (batcher.TryEnqueue(servable, inputNames, inputs, outputNames, cancellationToken) is { } queued)
            {
                return new ValueTask<IReadOnlyList<Tensor>>(queued);
            }

            // Retired between lookup and enqueue (its version is being unloaded): this request gets a fresh queue.
            _batchers.TryRemove(new KeyValuePair<ServableVersion, VersionBatcher?>(servable.Servable, batcher));
        }
    }

    public void ThrowIfQueueFull(ServableHandle servable)
    {
        if (GetBatcher(servable)?.FullMessage() is { } message)
        {
            _metrics.RecordDropped(new BatchQueueId(servable.ModelName, servable.Version), ServingErrorCode.Unavailable);
            throw new ServingException(ServingErrorCode.Unavailable, message);
        }
    }

    /// <summary>The queues now held, for diagnostics and tests.</summary>
    public IReadOnlyList<BatchQueueId> Queues => _batchers.Values.OfType<VersionBatcher>().Select(b => b.Id).ToArray();

    private VersionBatcher? GetBatcher(ServableHandle servable)
    {
        var version = servable.Servable;
        if (_batchers.TryGetValue(version, out var batcher))
        {
            return batcher;
        }

        lock (_createGate)
        {
            if (_batchers.TryGetValue(version, out batcher))
            {
                return batcher;
            }

            Prune();
            batcher = Create(servable);
            _batchers[version] = batcher;
            return batcher;
        }
    }

    private VersionBatcher? Create(ServableHandle servable)
    {
        var version = servable.Servable;
        var basePath = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(version.Path)) ?? version.Path;
        BatchingOptions? options;
        try
        {
            options = BatchingConfigReader.Resolve(basePath, _server);
        }
        catch (InvalidDataException ex)
        {
            // The section was valid when the model loaded (the config reader checks it); it changed since.
            BatchingLog.ModelConfigInvalid(_logger, version.ModelName, ex.Message);
            options = _server.EnableBatching ? _server.Parameters : null;
        }

        if (options is null)
        {
            return null;
        }

        var batcher = new VersionBatcher(version, servable.Model.Signature, options, _executor, _metrics, _time, _logger);
        BatchingLog.BatcherCreated(
            _logger,
            version.ModelName,
            version.Version,
            options.MaxBatchSize,
            options.ExecutionBatchSize,
            options.BatchTimeoutMicros,
            options.MaxEnqueuedBatches,
            options.NumBatchThreads,
            string.Join(", ", options.AllowedBatchSizes),
            options.EnableLargeBatchSplitting,
            options.PadVariableLengthInputs);
        if (batcher.NotMergeableReason is { } reason)
        {
            BatchingLog.NotMergeable(_logger, version.ModelName, version.Version, reason);
        }

        return batcher;
    }

    /// <summary>Drops the queues of versions that are no longer served once nothing waits in them.</summary>
    private void Prune()
    {
        foreach (var (version, batcher) in _batchers)
        {
            var gone = version.State is ModelVersionState.Unloading or ModelVersionState.End;
            if (gone && (batcher is null || batcher.IsIdle) && _batchers.TryRemove(new KeyValuePair<ServableVersion, VersionBatcher?>(version, batcher)))
            {
                if (batcher is not null)
                {
                    batcher.Dispose();
                    BatchingLog.BatcherRemoved(_logger, version.ModelName, version.Version);
                }
            }
        }
    }

    public void Dispose()
    {
        _pruneTimer.Dispose();
        foreach (var batcher in _batchers.Values)
        {
            batcher?.Dispose();
        }
    }
}
