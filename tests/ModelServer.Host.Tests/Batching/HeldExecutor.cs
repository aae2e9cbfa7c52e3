using System.Collections.Concurrent;
using ModelServer.Runtime.Batching;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Host.Tests.Batching;

/// <summary>The real ONNX Runtime executor behind a gate the test holds shut, counting the rows of every run.</summary>
internal sealed class HeldExecutor : IBatchExecutor
{
    private readonly ManualResetEventSlim _gate = new(initialState: true);
    private readonly SemaphoreSlim _entered = new(0);

    public ConcurrentQueue<long> RunRows { get; } = new();

    public void Close() => _gate.Reset();

    public void Open() => _gate.Set();

    public Task WaitForRunAsync() => _entered.WaitAsync(TimeSpan.FromSeconds(30));

    public IReadOnlyList<Tensor> Run(ServableHandle servable, IReadOnlyList<string> inputNames, IReadOnlyList<Tensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        RunRows.Enqueue(inputs[0].Shape[0]);
        _entered.Release();
        _gate.Wait(TimeSpan.FromSeconds(30), CancellationToken.None);
        return OnnxBatchExecutor.Instance.Run(servable, inputNames, inputs, outputNames, cancellationToken);
    }
}
