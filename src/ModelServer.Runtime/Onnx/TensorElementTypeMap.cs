using Microsoft.ML.OnnxRuntime.Tensors;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Onnx;

/// <summary>Maps between ONNX Runtime's element types and the Runtime's; the only place both meet.</summary>
internal static class TensorElementTypeMap
{
    public static TensorDataType? ToDataType(TensorElementType type) => type switch
    {
        TensorElementType.Float => TensorDataType.Float,
        TensorElementType.Double => TensorDataType.Double,
        TensorElementType.Float16 => TensorDataType.Float16,
        TensorElementType.BFloat16 => TensorDataType.BFloat16,
        TensorElementType.Int8 => TensorDataType.Int8,
        TensorElementType.Int16 => TensorDataType.Int16,
        TensorElementType.Int32 => TensorDataType.Int32,
        TensorElementType.Int64 => TensorDataType.Int64,
        TensorElementType.UInt8 => TensorDataType.UInt8,
        TensorElementType.UInt16 => TensorDataType.UInt16,
        TensorElementType.UInt32 => TensorDataType.UInt32,
        TensorElementType.UInt64 => TensorDataType.UInt64,
        TensorElementType.Bool => TensorDataType.Bool,
        TensorElementType.String => TensorDataType.String,
        _ => null,
    };

    public static TensorElementType ToElementType(TensorDataType type) => type switch
    {
        TensorDataType.Float => TensorElementType.Float,
        TensorDataType.Double => TensorElementType.Double,
        TensorDataType.Float16 => TensorElementType.Float16,
        TensorDataType.BFloat16 => TensorElementType.BFloat16,
        TensorDataType.Int8 => TensorElementType.Int8,
        TensorDataType.Int16 => TensorElementType.Int16,
        TensorDataType.Int32 => TensorElementType.Int32,
        TensorDataType.Int64 => TensorElementType.Int64,
        TensorDataType.UInt8 => TensorElementType.UInt8,
        TensorDataType.UInt16 => TensorElementType.UInt16,
        TensorDataType.UInt32 => TensorElementType.UInt32,
        TensorDataType.UInt64 => TensorElementType.UInt64,
        TensorDataType.Bool => TensorElementType.Bool,
        TensorDataType.String => TensorElementType.String,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No ONNX element type."),
    };
}
