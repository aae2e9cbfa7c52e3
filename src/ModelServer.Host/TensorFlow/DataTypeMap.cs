using ModelServer.Runtime.Tensors;
using Tensorflow;

namespace ModelServer.Host.TensorFlow;

/// <summary>TF <see cref="DataType"/> codes to and from the Runtime's element types.</summary>
internal static class DataTypeMap
{
    public static TensorDataType? ToRuntime(DataType type) => type switch
    {
        DataType.DtFloat => TensorDataType.Float,
        DataType.DtDouble => TensorDataType.Double,
        DataType.DtHalf => TensorDataType.Float16,
        DataType.DtBfloat16 => TensorDataType.BFloat16,
        DataType.DtInt8 => TensorDataType.Int8,
        DataType.DtInt16 => TensorDataType.Int16,
        DataType.DtInt32 => TensorDataType.Int32,
        DataType.DtInt64 => TensorDataType.Int64,
        DataType.DtUint8 => TensorDataType.UInt8,
        DataType.DtUint16 => TensorDataType.UInt16,
        DataType.DtUint32 => TensorDataType.UInt32,
        DataType.DtUint64 => TensorDataType.UInt64,
        DataType.DtBool => TensorDataType.Bool,
        DataType.DtString => TensorDataType.String,
        _ => null,
    };

    public static DataType ToTf(TensorDataType type) => type switch
    {
        TensorDataType.Float => DataType.DtFloat,
        TensorDataType.Double => DataType.DtDouble,
        TensorDataType.Float16 => DataType.DtHalf,
        TensorDataType.BFloat16 => DataType.DtBfloat16,
        TensorDataType.Int8 => DataType.DtInt8,
        TensorDataType.Int16 => DataType.DtInt16,
        TensorDataType.Int32 => DataType.DtInt32,
        TensorDataType.Int64 => DataType.DtInt64,
        TensorDataType.UInt8 => DataType.DtUint8,
        TensorDataType.UInt16 => DataType.DtUint16,
        TensorDataType.UInt32 => DataType.DtUint32,
        TensorDataType.UInt64 => DataType.DtUint64,
        TensorDataType.Bool => DataType.DtBool,
        TensorDataType.String => DataType.DtString,
        _ => DataType.DtInvalid,
    };
}
