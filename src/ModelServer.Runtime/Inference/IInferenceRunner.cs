using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Inference;

/// <summary>
/// Runs validated inputs on a served version. The direct runner calls ONNX Runtime on the caller's thread;
/// the batcher queues requests per version and runs them merged. Inputs stay owned by the caller; the
/// returned outputs (in <paramref name="outputNames"/> order) belong to the caller.
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
