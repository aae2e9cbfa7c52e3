using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Models;

/// <summary>One input or output of a signature: its alias (the ONNX name), dtype and shape (-1 = any size).</summary>
public sealed record TensorSpec(string Name, TensorDataType DataType, long[] Shape)
{
    /// <summary>True when dimension 0 is symbolic, so requests can be merged along it.</summary>
    public bool HasBatchDimension => Shape.Length > 0 && Shape[0] < 0;
}
