using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Batching;

/// <summary>
/// One request waiting in (or taken from) a version's queue. Its input tensors are borrowed from the caller, who
/// keeps them alive until <see cref="Completion"/> finishes; the batcher therefore never completes a task while
/// one of its parts is still being merged or run, even when the caller has given up.
/// </summary>
/// <remarks>All mutable state is guarded by the owning <see cref="VersionBatcher"/>'s lock.</remarks>
internal sealed class BatchTask
{
    public BatchTask(ServableHandle servable, IReadOnlyList<string> inputNames, IReadOnlyList<Tensor> inputs, IReadOnlyList<string> outputNames, BatchKey? key, int rows, long enqueuedAt, CancellationToken cancellationToken)
    {
        Servable = servable;
        InputNames = inputNames;
        Inputs = inputs;
        OutputNames = outputNames;
        Key = key;
        TotalRows = rows;
        EnqueuedAt = enqueuedAt;
        CancellationToken = cancellationToken;
    }

    public ServableHandle Servable { get; }

    public IReadOnlyList<string> InputNames { get; }

    public IReadOnlyList<Tensor> Inputs { get; }

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Null when the request is never merged: it runs alone, exactly as sent.</summary>
    public BatchKey? Key { get; }

    public int TotalRows { get; }

    /// <summary>Queue cost in rows: its rows, or a whole batch for a request that runs alone.</summary>
    public int QueueCost { get; set; }

    public long EnqueuedAt { get; }

    public CancellationToken CancellationToken { get; }

    public CancellationTokenRegistration Registration { get; set; }

    public TaskCompletionSource<IReadOnlyList<Tensor>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The task's place in the queue while it still has rows waiting.</summary>
    public LinkedListNode<BatchTask>? Node { get; set; }

    /// <summary>First row not yet taken into a batch.</summary>
    public int NextRow { get; set; }

    /// <summary>Parts taken into batches that have not finished.</summary>
    public int InFlightParts { get; set; }

    public bool Cancelled { get; set; }

    public bool Completed { get; set; }

    public Exception? Error { get; set; }

    /// <summary>Finished parts: their first row and their outputs (owned here until handed to the caller).</summary>
    public List<(int Offset, Tensor[] Outputs)> Parts { get; } = [];

    public int RemainingRows => TotalRows - NextRow;
}
