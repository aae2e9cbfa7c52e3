using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Inference;

/// <summary>Runs each request on its own, on the calling thread (batching off).</summary>
public sealed class DirectInferenceRunner : IInferenceRunner
{
    public ValueTask<IReadOnlyList<Tensor>> RunAsync(
        ServableHandle servable,
        IReadOnlyList<string> inputNames,
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<string> outputNames,
        CancellationToken cancellationToken)
        => ValueTask.FromResult(servable.Model.Run(inputNames, inputs, outputNames, cancellationToken));
}
