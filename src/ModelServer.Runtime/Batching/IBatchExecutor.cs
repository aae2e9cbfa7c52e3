using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Batching;

/// <summary>
/// Where a formed batch meets the model: <see cref="OnnxBatchExecutor"/> in the server. Inputs are borrowed for the
/// call; the returned outputs belong to the caller.
/// </summary>
public interface IBatchExecutor
{
    IReadOnlyList<Tensor> Run(ServableHandle servable, IReadOnlyList<string> inputNames, IReadOnlyList<Tensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken);
}
