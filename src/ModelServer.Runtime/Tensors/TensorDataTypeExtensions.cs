namespace ModelServer.Runtime.Tensors;

public static class TensorDataTypeExtensions
{
    /// <summary>Bytes per element; 0 for strings, which are stored as a list of byte strings.</summary>
    public static int ElementSize(this TensorDataType type) => type switch
    {
        TensorDataType.Float => 4,
        TensorDataType.Double => 8,
        TensorDataType.Float16 => 2,
        TensorDataType.BFloat16 => 2,
        TensorDataType.Int8 => 1,
        TensorDataType.Int16 => 2,
        TensorDataType.Int32 => 4,
        TensorDataType.Int64 => 8,
        TensorDataType.UInt8 => 1,
        TensorDataType.UInt16 => 2,
        TensorDataType.UInt32 => 4,
        TensorDataType.UInt64 => 8,
        TensorDataType.Bool => 1,
        TensorDataType.String => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown tensor data type."),
    };

    /// <summary>The short lower-case name TF Serving's error texts use (<c>float</c>, <c>int32</c>, <c>half</c>…).</summary>
    public static string ToTfName(this TensorDataType type) => type switch
    {
        TensorDataType.Float => "float",
        TensorDataType.Double => "double",
        TensorDataType.Float16 => "half",
        TensorDataType.BFloat16 => "bfloat16",
        TensorDataType.Int8 => "int8",
        TensorDataType.Int16 => "int16",
        TensorDataType.Int32 => "int32",
        TensorDataType.Int64 => "int64",
        TensorDataType.UInt8 => "uint8",
        TensorDataType.UInt16 => "uint16",
        TensorDataType.UInt32 => "uint32",
        TensorDataType.UInt64 => "uint64",
        TensorDataType.Bool => "bool",
        TensorDataType.String => "string",
        _ => "invalid",
    };
}
