using System.Collections.Concurrent;
using ModelServer.Runtime.Batching;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Tests.Batching;

/// <summary>
/// The real ONNX Runtime executor behind a gate the test opens and closes, so a batch can be held "running" while
/// the test fills the queue; it records the rows of every run (not a mock: every run reaches the model).
/// </summary>
internal sealed class GatedExecutor : IBatchExecutor
{
    private readonly ManualResetEventSlim _gate = new(initialState: true);
    private readonly SemaphoreSlim _entered = new(0);

    public ConcurrentQueue<long> RunRows { get; } = new();

    public ConcurrentQueue<float[]> RunInputs { get; } = new();

    public int Runs => RunRows.Count;

    /// <summary>The thread of every run: batches run on the version's batch threads, never on the thread pool.</summary>
    public ConcurrentQueue<Thread> RunThreads { get; } = new();

    public void Close() => _gate.Reset();

    public void Open() => _gate.Set();

    /// <summary>Completes when a run has reached the gate (without waiting on wall time).</summary>
    public Task WaitForRunAsync() => _entered.WaitAsync(TimeSpan.FromSeconds(30));

    public IReadOnlyList<Tensor> Run(ServableHandle servable, IReadOnlyList<string> inputNames, IReadOnlyList<Tensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        RunThreads.Enqueue(Thread.CurrentThread);
        RunRows.Enqueue(inputs[0].Shape[0]);
        if (inputs[0].DataType == TensorDataType.Float)
        {
            RunInputs.Enqueue(inputs[0].AsSpan<float>().ToArray());
        }

        _entered.Release();
        _gate.Wait(TimeSpan.FromSeconds(30), CancellationToken.None);
        return OnnxBatchExecutor.Instance.Run(servable, inputNames, inputs, outputNames, cancellationToken);
    }
}
