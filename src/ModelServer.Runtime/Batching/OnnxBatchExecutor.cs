using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Batching;

/// <summary>Runs a batch on the version's ONNX Runtime session.</summary>
public sealed class OnnxBatchExecutor : IBatchExecutor
{
    public static readonly OnnxBatchExecutor Instance = new();

    public IReadOnlyList<Tensor> Run(ServableHandle servable, IReadOnlyList<string> inputNames, IReadOnlyList<Tensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
        => servable.Model.Run(inputNames, inputs, outputNames, cancellationToken);
}
