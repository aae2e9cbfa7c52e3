using System.Globalization;
using Microsoft.Extensions.Logging;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Batching;

/// <summary>
/// The batch queue of one served version. Requests wait in one FIFO; when a runner is free and the oldest request
/// has waited <c>batch_timeout_micros</c> (or enough rows of one kind are queued to fill a batch), a batch is formed
/// from the oldest request and the later ones it can be merged with, and run on the version's own batch threads
/// (<see cref="BatchThreads"/>), never on the thread pool or a caller's thread. At most <c>num_batch_threads</c>
/// batches run at once.
/// </summary>
internal sealed partial class VersionBatcher : IDisposable
{
    private readonly object _gate = new();
    private readonly LinkedList<BatchTask> _queue = new();
    private readonly Dictionary<BatchKey, int> _rowsByKey = [];
    private readonly IBatchExecutor _executor;
    private readonly IBatchingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _executionBatchSize;
    private readonly int _capacityRows;
    private readonly int _threads;
    private readonly long _timeoutTicks;
    private readonly BatchThreads _runners;
    private int _queuedRows;
    private int _running;
    private ITimer? _timer;
    private long _timerDue = long.MaxValue;
    private bool _disposed;

    public VersionBatcher(ServableVersion version, ModelSignature signature, BatchingOptions options, IBatchExecutor executor, IBatchingMetrics metrics, TimeProvider time, ILogger logger)
    {
        Version = version;
        Id = new BatchQueueId(version.ModelName, version.Version);
        Options = options;
        _executor = executor;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _executionBatchSize = (int)options.ExecutionBatchSize;
        _capacityRows = (int)Math.Min(int.MaxValue / 2, options.MaxEnqueuedBatches * options.ExecutionBatchSize);
        _threads = (int)Math.Min(options.NumBatchThreads, 1024);
        _timeoutTicks = options.BatchTimeoutMicros * time.TimestampFrequency / 1_000_000;
        _runners = new BatchThreads(Text($"batch {version.ModelName}"), _threads, RunBatch);
        NotMergeableReason = signature.Inputs.FirstOrDefault(i => !i.HasBatchDimension) is { } input
            ? $"input '{input.Name}' has shape {TensorShape.Format(input.Shape)}, whose first dimension is not a batch dimension"
            : signature.Outputs.FirstOrDefault(o => !o.HasBatchDimension) is { } output
                ? $"output '{output.Name}' has shape {TensorShape.Format(output.Shape)}, whose first dimension is not a batch dimension"
                : null;
    }

    public ServableVersion Version { get; }

    public BatchQueueId Id { get; }

    public BatchingOptions Options { get; }

    /// <summary>Why this version's requests are never merged (they still queue, and run one at a time); null when they are.</summary>
    public string? NotMergeableReason { get; }

    /// <summary>True when nothing is queued or running.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count == 0 && _running == 0;
            }
        }
    }

    /// <summary>
    /// Queues a request and completes with its own outputs; null when this queue has been retired (make a new one).
    /// Throws at once (without waiting for any batch) when the request can never run or the queue is full.
    /// </summary>
    public Task<IReadOnlyList<Tensor>>? TryEnqueue(ServableHandle servable, IReadOnlyList<string> inputNames, IReadOnlyList<Tensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (key, rows) = Classify(inputs, outputNames);
        if (key is not null && rows > Options.MaxBatchSize)
        {
            throw ServingException.InvalidArgument(Text($"Task size {rows} is larger than maximum input batch size {Options.MaxBatchSize}"));
        }

        var task = new BatchTask(servable, inputNames, inputs, outputNames, key, rows, _time.GetTimestamp(), cancellationToken)
        {
            QueueCost = key is null ? _executionBatchSize : rows,
        };
        if (cancellationToken.CanBeCanceled)
        {
            // Registered before the task is queued, so a token that fires at any point finds it (or finds it finished).
            task.Registration = cancellationToken.UnsafeRegister(
                static state =>
                {
                    var (batcher, queued) = ((VersionBatcher, BatchTask))state!;
                    batcher.Cancel(queued);
                },
                (this, task));
        }

        List<List<BatchSlice>>? ready = null;
        string? full = null;
        bool retired;
        lock (_gate)
        {
            if (task.Completed)
            {
                return task.Completion.Task;
            }

            retired = _disposed;
            if (!retired && _queuedRows + task.QueueCost > _capacityRows)
            {
                task.Completed = true;
                full = FullText(_queuedRows);
            }
            else if (!retired)
            {
                task.Node = _queue.AddLast(task);
                AddQueued(task, task.QueueCost);
                ready = DispatchLocked();
            }

            RecordDepthLocked();
        }

        if (retired || full is not null)
        {
            // Outside the lock: disposing waits for a running cancellation callback, which takes the lock.
            task.Registration.Dispose();
            if (retired)
            {
                return null;
            }

            _metrics.RecordDropped(Id, ServingErrorCode.Unavailable);
            throw new ServingException(ServingErrorCode.Unavailable, full!);
        }

        Start(ready);
        return task.Completion.Task;
    }

    /// <summary>TF Serving's queue-full text when no request could join the queue now; null otherwise (no lock: a hint).</summary>
    public string? FullMessage()
    {
        var queued = Volatile.Read(ref _queuedRows);
        return queued >= _capacityRows ? FullText(queued) : null;
    }

    private string FullText(int queuedRows)
    {
        var enqueued = (queuedRows + _executionBatchSize - 1) / _executionBatchSize;
        return Text($"The batch scheduling queue to which this task was submitted is full; currently {enqueued} batches enqueued and max_enqueued_batches is {Options.MaxEnqueuedBatches}");
    }

    private (BatchKey? Key, int Rows) Classify(IReadOnlyList<Tensor> inputs, IReadOnlyList<string> outputNames)
    {
        if (NotMergeableReason is not null || inputs.Count == 0)
        {
            return (null, 1);
        }

        long rows = -1;
        var inner = new long[inputs.Count][];
        for (var i = 0; i < inputs.Count; i++)
        {
            var shape = inputs[i].Shape;
            if (shape.Length == 0 || (rows >= 0 && shape[0] != rows))
            {
                // A scalar, or inputs that disagree on their row count: only the model can say what that means.
                return (null, 1);
            }

            rows = shape[0];
            inner[i] = Options.PadVariableLengthInputs && inputs[i].DataType != TensorDataType.String
                ? [shape.Length]
                : shape[1..].ToArray();
        }

        return rows is < 1 or > int.MaxValue / 4 ? (null, 1) : (new BatchKey(outputNames, inner), (int)rows);
    }

    private void AddQueued(BatchTask task, int rows)
    {
        _queuedRows += rows;
        if (task.Key is not null)
        {
            _rowsByKey[task.Key] = _rowsByKey.GetValueOrDefault(task.Key) + rows;
        }
    }

    private void RemoveQueued(BatchTask task, int rows)
    {
        _queuedRows -= rows;
        if (task.Key is not null)
        {
            var left = _rowsByKey[task.Key] - rows;
            if (left == 0)
            {
                _rowsByKey.Remove(task.Key);
            }
            else
            {
                _rowsByKey[task.Key] = left;
            }
        }
    }

    /// <summary>
    /// Publishes the queue depth. Under the lock, so that of two threads the later state is also the later write:
    /// written after the lock, an enqueue's depth could land after a later one's and stay there, stale, until the
    /// queue next changed.
    /// </summary>
    private void RecordDepthLocked() => _metrics.RecordQueueDepth(Id, _queuedRows, _queue.Count);

    /// <summary>Forms every batch that may start now; arms the timer for the oldest request otherwise. Caller holds the lock.</summary>
    private List<List<BatchSlice>>? DispatchLocked()
    {
        List<List<BatchSlice>>? ready = null;
        var now = _time.GetTimestamp();
        while (_running < _threads && _queue.First is { } head)
        {
            List<BatchSlice>? batch = null;
            if (head.Value.Key is null)
            {
                batch = [new BatchSlice(head.Value, 0, head.Value.TotalRows)];
                TakeWhole(head);
            }
            else if (now - head.Value.EnqueuedAt >= _timeoutTicks)
            {
                batch = Form(head.Value.Key, head, now);
            }
            else if (FullKey() is { } full)
            {
                batch = Form(full, head, now);
            }

            if (batch is null)
            {
                break;
            }

            _running++;
            (ready ??= []).Add(batch);
        }

        if (_queue.First is { } oldest && _running < _threads && !_disposed)
        {
            // Not ready yet: wake when the oldest request has waited long enough.
            var due = oldest.Value.EnqueuedAt + _timeoutTicks;
            if (due != _timerDue && due > now)
            {
                _timerDue = due;
                _timer ??= _time.CreateTimer(static state => ((VersionBatcher)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(_time.GetElapsedTime(now, due), Timeout.InfiniteTimeSpan);
            }
        }

        return ready;
    }

    /// <summary>A kind of request with a whole batch of rows queued (the size trigger), if any.</summary>
    private BatchKey? FullKey()
    {
        foreach (var (key, rows) in _rowsByKey)
        {
            if (rows >= _executionBatchSize)
            {
                return key;
            }
        }

        return null;
    }

    private void TakeWhole(LinkedListNode<BatchTask> node)
    {
        var task = node.Value;
        _queue.Remove(node);
        task.Node = null;
        RemoveQueued(task, task.QueueCost);
        task.NextRow = task.TotalRows;
        task.InFlightParts++;
        _metrics.RecordQueueTime(Id, _time.GetElapsedTime(task.EnqueuedAt));
    }

    /// <summary>Takes up to a batch of rows of <paramref name="key"/>, oldest first, splitting the last request when allowed.</summary>
    private List<BatchSlice> Form(BatchKey key, LinkedListNode<BatchTask> start, long now)
    {
        var slices = new List<BatchSlice>();
        var rows = 0;
        for (var node = start; node is not null && rows < _executionBatchSize;)
        {
            var next = node.Next;
            var task = node.Value;
            if (task.Key is not null && task.Key.Equals(key))
            {
                var take = task.RemainingRows;
                if (take > _executionBatchSize - rows)
                {
                    if (!Options.EnableLargeBatchSplitting)
                    {
                        break;
                    }

                    take = _executionBatchSize - rows;
                }

                slices.Add(new BatchSlice(task, task.NextRow, take));
                task.NextRow += take;
                task.InFlightParts++;
                rows += take;
                RemoveQueued(task, take);
                _metrics.RecordQueueTime(Id, _time.GetElapsedTime(task.EnqueuedAt, now));
                if (task.RemainingRows == 0)
                {
                    _queue.Remove(node);
                    task.Node = null;
                }
            }

            node = next;
        }

        return slices;
    }

    private void OnTimer()
    {
        List<List<BatchSlice>>? ready;
        lock (_gate)
        {
            _timerDue = long.MaxValue;
            ready = DispatchLocked();
        }

        Start(ready);
    }

    private void Start(List<List<BatchSlice>>? ready)
    {
        if (ready is null)
        {
            return;
        }

        foreach (var batch in ready)
        {
            _runners.Post(batch);
        }
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }

        _runners.Dispose();
    }
}
