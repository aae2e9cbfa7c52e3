using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ModelServer.Runtime.Serving;

namespace ModelServer.Runtime.Batching;

/// <summary>
/// The default <see cref="IBatchingMetrics"/>: lock-free running totals per queue (read with <see cref="Snapshot"/>)
/// and a Debug summary line per queue per minute while it is busy.
/// </summary>
public sealed class BatchingMetrics : IBatchingMetrics, IDisposable
{
    public static readonly TimeSpan SummaryPeriod = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<BatchQueueId, Counters> _queues = new();
    private readonly ILogger<BatchingMetrics> _logger;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private long _lastSummary;

    public BatchingMetrics(TimeProvider time, ILogger<BatchingMetrics> logger)
    {
        _time = time;
        _logger = logger;
        _lastSummary = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((BatchingMetrics)state!).LogSummary(), this, SummaryPeriod, SummaryPeriod);
    }

    public void RecordQueueTime(BatchQueueId queue, TimeSpan queueTime)
    {
        var counters = Get(queue);
        Interlocked.Increment(ref counters.Requests);
        Interlocked.Add(ref counters.QueueTicks, queueTime.Ticks);
        var seen = Volatile.Read(ref counters.PeriodQueueMaxTicks);
        while (queueTime.Ticks > seen)
        {
            var prior = Interlocked.CompareExchange(ref counters.PeriodQueueMaxTicks, queueTime.Ticks, seen);
            if (prior == seen)
            {
                break;
            }

            seen = prior;
        }
    }

    public void RecordBatch(BatchQueueId queue, BatchRecord batch)
    {
        var counters = Get(queue);
        Interlocked.Increment(ref counters.Batches);
        if (!batch.Succeeded)
        {
            Interlocked.Increment(ref counters.Failed);
        }

        Interlocked.Add(ref counters.Rows, batch.Rows);
        Interlocked.Add(ref counters.BatchRows, batch.BatchSize);
        Interlocked.Add(ref counters.RunTicks, batch.RunTime.Ticks);
        counters.Sizes.AddOrUpdate(batch.BatchSize, 1, static (_, n) => n + 1);
    }

    public void RecordQueueDepth(BatchQueueId queue, int queuedRows, int queuedRequests)
    {
        var counters = Get(queue);
        Volatile.Write(ref counters.QueuedRows, queuedRows);
        Volatile.Write(ref counters.QueuedRequests, queuedRequests);
    }

    public void RecordDropped(BatchQueueId queue, ServingErrorCode reason)
    {
        var counters = Get(queue);
        if (reason == ServingErrorCode.Unavailable)
        {
            Interlocked.Increment(ref counters.Rejected);
        }
        else
        {
            Interlocked.Increment(ref counters.Dropped);
        }
    }

    /// <summary>Totals of every queue seen so far.</summary>
    public IReadOnlyList<BatchQueueStats> Snapshot()
        => _queues.Select(kv => kv.Value.ToStats(kv.Key)).OrderBy(s => s.Queue.ModelName, StringComparer.Ordinal).ThenBy(s => s.Queue.Version).ToArray();

    /// <summary>Logs what each queue did since the last summary (only queues that did something).</summary>
    public void LogSummary()
    {
        var now = _time.GetTimestamp();
        var seconds = _time.GetElapsedTime(Interlocked.Exchange(ref _lastSummary, now), now).TotalSeconds;
        if (!_logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        foreach (var (queue, counters) in _queues)
        {
            var current = counters.ToStats(queue);
            var previous = counters.LastLogged ?? current with { Batches = 0, FailedBatches = 0, Requests = 0, Rows = 0, BatchRows = 0, QueueTimeTotal = TimeSpan.Zero, RunTimeTotal = TimeSpan.Zero, Dropped = 0, Rejected = 0 };
            counters.LastLogged = current;
            var queueMax = TimeSpan.FromTicks(Interlocked.Exchange(ref counters.PeriodQueueMaxTicks, 0));
            var batches = current.Batches - previous.Batches;
            var requests = current.Requests - previous.Requests;
            var dropped = current.Dropped - previous.Dropped;
            var rejected = current.Rejected - previous.Rejected;
            if (batches == 0 && requests == 0 && dropped == 0 && rejected == 0)
            {
                continue;
            }

            var rows = current.Rows - previous.Rows;
            var batchRows = current.BatchRows - previous.BatchRows;
            BatchingLog.Summary(
                _logger,
                queue.ModelName,
                queue.Version,
                seconds,
                batches,
                current.FailedBatches - previous.FailedBatches,
                requests,
                rows,
                batches == 0 ? 0 : (double)batchRows / batches,
                batchRows == 0 ? 0 : 100.0 * (batchRows - rows) / batchRows,
                requests == 0 ? 0 : (current.QueueTimeTotal - previous.QueueTimeTotal).TotalMilliseconds / requests,
                queueMax.TotalMilliseconds,
                batches == 0 ? 0 : (current.RunTimeTotal - previous.RunTimeTotal).TotalMilliseconds / batches,
                current.QueuedRows,
                dropped,
                rejected);
        }
    }

    private Counters Get(BatchQueueId queue) => _queues.GetOrAdd(queue, static _ => new Counters());

    public void Dispose() => _timer.Dispose();

    private sealed class Counters
    {
        public long Batches;
        public long Failed;
        public long Requests;
        public long Rows;
        public long BatchRows;
        public long QueueTicks;
        public long PeriodQueueMaxTicks;
        public long RunTicks;
        public long Dropped;
        public long Rejected;
        public int QueuedRows;
        public int QueuedRequests;

        public ConcurrentDictionary<int, long> Sizes { get; } = new();

        public BatchQueueStats? LastLogged { get; set; }

        public BatchQueueStats ToStats(BatchQueueId queue) => new(
            queue,
            Volatile.Read(ref Batches),
            Volatile.Read(ref Failed),
            Volatile.Read(ref Requests),
            Volatile.Read(ref Rows),
            Volatile.Read(ref BatchRows),
            TimeSpan.FromTicks(Volatile.Read(ref QueueTicks)),
            TimeSpan.FromTicks(Volatile.Read(ref RunTicks)),
            Volatile.Read(ref Dropped),
            Volatile.Read(ref Rejected),
            Volatile.Read(ref QueuedRows),
            Volatile.Read(ref QueuedRequests),
            new SortedDictionary<int, long>(Sizes));
    }
}
