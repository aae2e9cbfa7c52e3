using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Inference;

/// <summary>
/// Runs validated inputs on a served version (the server's runner is the batcher: versions without batching
/// call ONNX Runtime on the caller's thread, the others are queued and run merged). Inputs stay owned by the
/// caller; the returned outputs (in <paramref name="outputNames"/> order) belong to the caller.
/// </summary>
public interface IInferenceRunner
{
    ValueTask<IReadOnlyList<Tensor>> RunAsync(
        ServableHandle servable,
        IReadOnlyList<string> inputNames,
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<string> outputNames,
        CancellationToken cancellationToken);
}
