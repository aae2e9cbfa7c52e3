using Microsoft.Extensions.Logging;

namespace ModelServer.Runtime.Batching;

internal static partial class BatchingLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Batching {Model} version {Version}: max_batch_size {MaxBatchSize}, execution batch {ExecutionBatchSize}, batch_timeout_micros {TimeoutMicros}, max_enqueued_batches {MaxEnqueuedBatches}, num_batch_threads {Threads}, allowed_batch_sizes [{AllowedBatchSizes}], splitting {Splitting}, pad_variable_length_inputs {PadVariable}")]
    public static partial void BatcherCreated(ILogger logger, string model, long version, long maxBatchSize, long executionBatchSize, long timeoutMicros, long maxEnqueuedBatches, long threads, string allowedBatchSizes, bool splitting, bool padVariable);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Requests to {Model} version {Version} are queued but never merged: {Reason}")]
    public static partial void NotMergeable(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "Batch queue of {Model} version {Version} removed: the version is no longer served")]
    public static partial void BatcherRemoved(ILogger logger, string model, long version);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "A merged batch of {Requests} requests to {Model} version {Version} failed ({Error}); running each request alone")]
    public static partial void BatchFailedRetrying(ILogger logger, string model, long version, int requests, string error);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Debug,
        Message = "Batching {Model} version {Version}, last {Seconds:F0} s: {Batches} batches ({Failed} failed), {Requests} requests, {Rows} rows, mean batch {MeanBatch:F1}, padding {PaddingPercent:F1}%, queue wait mean {QueueMeanMs:F2} ms max {QueueMaxMs:F2} ms, run mean {RunMeanMs:F2} ms, queued now {QueuedRows} rows, dropped {Dropped}, rejected {Rejected}")]
    public static partial void Summary(ILogger logger, string model, long version, double seconds, long batches, long failed, long requests, long rows, double meanBatch, double paddingPercent, double queueMeanMs, double queueMaxMs, double runMeanMs, int queuedRows, long dropped, long rejected);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "The batching section of {Model}'s config.json cannot be used ({Error}); using the server-wide batching settings")]
    public static partial void ModelConfigInvalid(ILogger logger, string model, string error);
}
