namespace ModelServer.Runtime.Batching;

/// <summary>Running totals of one batch queue since the server started, for exporters and the summary log.</summary>
public sealed record BatchQueueStats(
    BatchQueueId Queue,
    long Batches,
    long FailedBatches,
    long Requests,
    long Rows,
    long BatchRows,
    TimeSpan QueueTimeTotal,
    TimeSpan RunTimeTotal,
    long Dropped,
    long Rejected,
    int QueuedRows,
    int QueuedRequests,
    IReadOnlyDictionary<int, long> BatchSizes)
{
    /// <summary>Rows run that were padding (results dropped).</summary>
    public long PaddingRows => BatchRows - Rows;
}
