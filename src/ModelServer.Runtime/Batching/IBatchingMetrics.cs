using ModelServer.Runtime.Serving;

namespace ModelServer.Runtime.Batching;

/// <summary>
/// What the batcher measures as it runs, behind one small interface so an exporter (Prometheus, OpenTelemetry)
/// can implement it without knowing the batcher. Calls come from request and batch threads concurrently and
/// must not block.
/// </summary>
public interface IBatchingMetrics
{
    /// <summary>A request (or a part of a split one) left the queue for a batch after <paramref name="queueTime"/>.</summary>
    void RecordQueueTime(BatchQueueId queue, TimeSpan queueTime);

    /// <summary>A batch ran (or failed).</summary>
    void RecordBatch(BatchQueueId queue, BatchRecord batch);

    /// <summary>The queue now holds <paramref name="queuedRows"/> rows of <paramref name="queuedRequests"/> requests waiting to run.</summary>
    void RecordQueueDepth(BatchQueueId queue, int queuedRows, int queuedRequests);

    /// <summary>A request was turned away (queue full) or dropped before it ran (deadline passed, client gone).</summary>
    void RecordDropped(BatchQueueId queue, ServingErrorCode reason);
}
