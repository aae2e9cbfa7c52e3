using System.Buffers;
using System.Runtime.InteropServices;
using Google.Protobuf;
using ModelServer.Host.TensorFlow;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;
using Tensorflow;

namespace ModelServer.Host.Grpc;

/// <summary>
/// Decodes a <see cref="TensorProto"/> as TF's <c>Tensor::FromProto</c> does: a non-empty <c>tensor_content</c>
/// wins (wrapped without a copy: the request message outlives the run); otherwise the dtype's typed field,
/// where too few values repeat the last one and none means zeros. Sizes are checked before allocating.
/// </summary>
internal static class TensorProtoDecoder
{
    public static Tensor Decode(string alias, TensorProto proto, long maxElements)
    {
        var type = DataTypeMap.ToRuntime(proto.Dtype)
            ?? throw ServingException.InvalidArgument($"tensor parsing error: {alias} (dtype {proto.Dtype} is not supported)");
        var shape = ReadShape(alias, proto.TensorShape);
        var count = TensorShape.ElementCount(shape);
        if (count < 0 || count > maxElements)
        {
            throw ServingException.InvalidArgument(
                $"tensor parsing error: {alias} (shape {TensorShape.Format(shape)} has more than the limit of {maxElements} elements, MaxTensorElements)");
        }

        if (type == TensorDataType.String)
        {
            return DecodeStrings(alias, proto, shape, count);
        }

        if (!proto.TensorContent.IsEmpty)
        {
            if (proto.TensorContent.Length != count * type.ElementSize())
            {
                throw ServingException.InvalidArgument(
                    $"tensor parsing error: {alias} (tensor_content has {proto.TensorContent.Length} bytes; {type.ToTfName()} {TensorShape.Format(shape)} needs {count * type.ElementSize()})");
            }

            return Tensor.Wrap(type, shape, proto.TensorContent.Memory);
        }

        return type switch
        {
            TensorDataType.Float => Fill(alias, type, shape, count, proto.FloatVal, static v => v),
            TensorDataType.Double => Fill(alias, type, shape, count, proto.DoubleVal, static v => v),
            TensorDataType.Int32 => Fill(alias, type, shape, count, proto.IntVal, static v => v),
            TensorDataType.Int16 => Fill(alias, type, shape, count, proto.IntVal, static v => (short)v),
            TensorDataType.Int8 => Fill(alias, type, shape, count, proto.IntVal, static v => (sbyte)v),
            TensorDataType.UInt8 => Fill(alias, type, shape, count, proto.IntVal, static v => (byte)v),
            TensorDataType.UInt16 => Fill(alias, type, shape, count, proto.IntVal, static v => (ushort)v),
            TensorDataType.Int64 => Fill(alias, type, shape, count, proto.Int64Val, static v => v),
            TensorDataType.UInt32 => Fill(alias, type, shape, count, proto.Uint32Val, static v => v),
            TensorDataType.UInt64 => Fill(alias, type, shape, count, proto.Uint64Val, static v => v),
            TensorDataType.Bool => Fill(alias, type, shape, count, proto.BoolVal, static v => v ? (byte)1 : (byte)0),
            TensorDataType.Float16 or TensorDataType.BFloat16 => Fill(alias, type, shape, count, proto.HalfVal, static v => (ushort)v),
            _ => throw ServingException.InvalidArgument($"tensor parsing error: {alias}"),
        };
    }

    private static long[] ReadShape(string alias, TensorShapeProto? shapeProto)
    {
        if (shapeProto is null)
        {
            return [];
        }

        if (shapeProto.UnknownRank)
        {
            throw ServingException.InvalidArgument($"tensor parsing error: {alias} (unknown rank)");
        }

        var shape = new long[shapeProto.Dim.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            var size = shapeProto.Dim[i].Size;
            if (size < 0)
            {
                throw ServingException.InvalidArgument($"tensor parsing error: {alias} (dimension {i} is {size})");
            }

            shape[i] = size;
        }

        return shape;
    }

    private static Tensor Fill<TSource, TElement>(string alias, TensorDataType type, long[] shape, long count, IReadOnlyList<TSource> values, Func<TSource, TElement> convert)
        where TElement : unmanaged
    {
        if (values.Count > count)
        {
            throw ServingException.InvalidArgument(
                $"tensor parsing error: {alias} ({values.Count} values for shape {TensorShape.Format(shape)})");
        }

        var bytes = (int)(count * type.ElementSize());
        var array = ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1));
        var target = MemoryMarshal.Cast<byte, TElement>(array.AsSpan(0, bytes));
        if (values.Count == 0)
        {
            target.Clear();
        }
        else
        {
            for (var i = 0; i < values.Count; i++)
            {
                target[i] = convert(values[i]);
            }

            target[values.Count..].Fill(target[values.Count - 1]);
        }

        return Tensor.FromPooledArray(type, shape, array);
    }

    private static Tensor DecodeStrings(string alias, TensorProto proto, long[] shape, long count)
    {
        if (proto.StringVal.Count > count)
        {
            throw ServingException.InvalidArgument($"tensor parsing error: {alias} ({proto.StringVal.Count} values for shape {TensorShape.Format(shape)})");
        }

        var values = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = proto.StringVal.Count == 0
                ? ReadOnlyMemory<byte>.Empty
                : proto.StringVal[Math.Min(i, proto.StringVal.Count - 1)].Memory;
        }

        return Tensor.FromStrings(shape, values);
    }

}
