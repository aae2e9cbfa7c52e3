using System.Runtime.InteropServices;
using Google.Protobuf;
using ModelServer.Host.TensorFlow;
using ModelServer.Runtime.Tensors;
using Tensorflow;

namespace ModelServer.Host.Grpc;

/// <summary>
/// Encodes an output tensor as a <see cref="TensorProto"/>: typed <c>*_val</c> fields by default (what TF Serving
/// sends), or one <c>tensor_content</c> copy when the server runs with <c>--enable_serialization_as_tensor_content</c>.
/// </summary>
internal static class TensorProtoEncoder
{
    public static TensorProto Encode(Tensor tensor, bool asTensorContent)
    {
        var proto = new TensorProto { Dtype = DataTypeMap.ToTf(tensor.DataType), TensorShape = new TensorShapeProto() };
        foreach (var dim in tensor.Shape)
        {
            proto.TensorShape.Dim.Add(new TensorShapeProto.Types.Dim { Size = dim });
        }

        if (tensor.DataType == TensorDataType.String)
        {
            foreach (var value in tensor.Strings)
            {
                proto.StringVal.Add(ByteString.CopyFrom(value.Span));
            }

            return proto;
        }

        if (asTensorContent)
        {
            proto.TensorContent = ByteString.CopyFrom(tensor.Data.Span);
            return proto;
        }

        switch (tensor.DataType)
        {
            case TensorDataType.Float:
                AddAll(proto.FloatVal, tensor.AsSpan<float>());
                break;
            case TensorDataType.Double:
                AddAll(proto.DoubleVal, tensor.AsSpan<double>());
                break;
            case TensorDataType.Int32:
                AddAll(proto.IntVal, tensor.AsSpan<int>());
                break;
            case TensorDataType.Int16:
                AddConverted(proto.IntVal, tensor.AsSpan<short>(), static v => v);
                break;
            case TensorDataType.Int8:
                AddConverted(proto.IntVal, tensor.AsSpan<sbyte>(), static v => v);
                break;
            case TensorDataType.UInt8:
                AddConverted(proto.IntVal, tensor.AsSpan<byte>(), static v => v);
                break;
            case TensorDataType.UInt16:
                AddConverted(proto.IntVal, tensor.AsSpan<ushort>(), static v => v);
                break;
            case TensorDataType.Int64:
                AddAll(proto.Int64Val, tensor.AsSpan<long>());
                break;
            case TensorDataType.UInt32:
                AddAll(proto.Uint32Val, tensor.AsSpan<uint>());
                break;
            case TensorDataType.UInt64:
                AddAll(proto.Uint64Val, tensor.AsSpan<ulong>());
                break;
            case TensorDataType.Bool:
                AddConverted(proto.BoolVal, tensor.AsSpan<byte>(), static v => v != 0);
                break;
            case TensorDataType.Float16:
            case TensorDataType.BFloat16:
                AddConverted(proto.HalfVal, MemoryMarshal.Cast<byte, ushort>(tensor.Data.Span), static v => v);
                break;
            default:
                throw new InvalidOperationException($"No TensorProto encoding for {tensor.DataType}.");
        }

        return proto;
    }

    private static void AddAll<T>(Google.Protobuf.Collections.RepeatedField<T> field, ReadOnlySpan<T> values)
    {
        field.Capacity = values.Length;
        foreach (var value in values)
        {
            field.Add(value);
        }
    }

    private static void AddConverted<TSource, TTarget>(Google.Protobuf.Collections.RepeatedField<TTarget> field, ReadOnlySpan<TSource> values, Func<TSource, TTarget> convert)
    {
        field.Capacity = values.Length;
        foreach (var value in values)
        {
            field.Add(convert(value));
        }
    }
}
