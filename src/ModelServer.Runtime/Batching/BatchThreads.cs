namespace ModelServer.Runtime.Batching;

/// <summary>
/// The threads that run one version's batches, as TF Serving's <c>num_batch_threads</c> are: started on demand, up to
/// the limit, and kept until the version's queue is retired. ONNX Runtime's <c>Run</c> holds its thread for the whole
/// batch; run on the thread pool, it held one of the pool's few workers (one per core), and the socket reads,
/// parsing and replies that feed the queue waited behind it. Measured with the server on one core at c=32
/// (bench/run-steady.sh): requests reached the queue late and out of order, the queue held 2 rows on average, and
/// p99 was higher with batching than without in every round (906–1,098 vs 644–827 ms at max_batch_size 1). On these
/// threads the queue fills (8-row batches at max_batch_size 8) and p99 is lower with batching (520 vs 532 ms and
/// 608 vs 654 ms at max_batch_size 1; 588 vs 613 ms and 788 vs 841 ms at 8).
/// </summary>
internal sealed class BatchThreads : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<List<BatchSlice>> _work = new();
    private readonly Action<List<BatchSlice>> _run;
    private readonly string _name;
    private readonly int _max;
    private int _threads;
    private int _idle;
    private bool _closed;

    /// <param name="name">Thread name (Linux shows its first 15 characters).</param>
    /// <param name="max">Threads at most; the batcher never has more batches ready or running than this.</param>
    /// <param name="run">Runs a batch; must not throw (the batcher completes every request itself).</param>
    public BatchThreads(string name, int max, Action<List<BatchSlice>> run)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        _name = name;
        _max = max;
        _run = run;
    }

    /// <summary>Hands a batch to an idle thread, or to a new one while fewer than the limit exist.</summary>
    public void Post(List<BatchSlice> batch)
    {
        bool start = false;
        lock (_gate)
        {
            _work.Enqueue(batch);
            // Idle threads already woken still count as idle until they take their batch: only work beyond them
            // needs a new thread.
            if (_work.Count > _idle && _threads < _max)
            {
                _threads++;
                start = true;
            }
            else
            {
                Monitor.Pulse(_gate);
            }
        }

        if (start)
        {
            // Background: a batch still running never holds the process open at shutdown.
            new Thread(Loop) { IsBackground = true, Name = _name }.Start();
        }
    }

    /// <summary>Idle threads exit; busy ones finish their batches (and any posted later) first.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
    }

    private void Loop()
    {
        while (true)
        {
            List<BatchSlice> batch;
            lock (_gate)
            {
                while (_work.Count == 0)
                {
                    if (_closed)
                    {
                        _threads--;
                        return;
                    }

                    _idle++;
                    Monitor.Wait(_gate);
                    _idle--;
                }

                batch = _work.Dequeue();
            }

            _run(batch);
        }
    }
}
