using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Host.Rest.Json;

/// <summary>
/// Writes predict outputs as TF Serving does: row format <c>{"predictions": …}</c> (per-row values, or per-row
/// objects when there are several outputs), columnar <c>{"outputs": …}</c>; floats in TF's <c>%g</c> text; string
/// outputs whose alias ends in <c>_bytes</c> as <c>{"b64": …}</c>. Written straight to the response buffer.
/// </summary>
internal static class PredictJsonWriter
{
    public static void Write(IBufferWriter<byte> output, IReadOnlyList<KeyValuePair<string, Tensor>> outputs, bool rowFormat)
    {
        if (outputs.Count == 0)
        {
            throw ServingException.InvalidArgument("Cannot convert empty tensor map to JSON");
        }

        if (rowFormat)
        {
            CheckBatch(outputs);
        }

        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        if (rowFormat)
        {
            writer.WritePropertyName("predictions"u8);
            WriteRows(writer, outputs);
        }
        else
        {
            writer.WritePropertyName("outputs"u8);
            if (outputs.Count == 1)
            {
                WriteTensor(writer, outputs[0].Key, outputs[0].Value);
            }
            else
            {
                writer.WriteStartObject();
                foreach (var (name, tensor) in outputs)
                {
                    writer.WritePropertyName(name);
                    WriteTensor(writer, name, tensor);
                }

                writer.WriteEndObject();
            }
        }

        writer.WriteEndObject();
    }

    private static void CheckBatch(IReadOnlyList<KeyValuePair<string, Tensor>> outputs)
    {
        long? batch = null;
        foreach (var (name, tensor) in outputs)
        {
            if (tensor.Shape.Length == 0)
            {
                throw ServingException.InvalidArgument($"Tensor name: {name} has no shape information ");
            }

            batch ??= tensor.Shape[0];
            if (tensor.Shape[0] != batch)
            {
                throw ServingException.InvalidArgument($"Tensor name: {name} has inconsistent batch size: {tensor.Shape[0]} expecting: {batch}");
            }
        }
    }

    private static void WriteRows(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, Tensor>> outputs)
    {
        var rows = outputs[0].Value.Shape[0];
        writer.WriteStartArray();
        for (long row = 0; row < rows; row++)
        {
            if (outputs.Count == 1)
            {
                WriteRow(writer, outputs[0].Key, outputs[0].Value, row);
                continue;
            }

            writer.WriteStartObject();
            foreach (var (name, tensor) in outputs)
            {
                writer.WritePropertyName(name);
                WriteRow(writer, name, tensor, row);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteRow(Utf8JsonWriter writer, string name, Tensor tensor, long row)
    {
        var rowShape = tensor.Shape[1..];
        var rowElements = TensorShape.ElementCount(rowShape);
        WriteNested(writer, name, tensor, rowShape, row * rowElements);
    }

    private static void WriteTensor(Utf8JsonWriter writer, string name, Tensor tensor) => WriteNested(writer, name, tensor, tensor.Shape, 0);

    private static long WriteNested(Utf8JsonWriter writer, string name, Tensor tensor, ReadOnlySpan<long> shape, long index)
    {
        if (shape.Length == 0)
        {
            WriteElement(writer, name, tensor, index);
            return index + 1;
        }

        writer.WriteStartArray();
        for (long i = 0; i < shape[0]; i++)
        {
            index = WriteNested(writer, name, tensor, shape[1..], index);
        }

        writer.WriteEndArray();
        return index;
    }

    private static void WriteElement(Utf8JsonWriter writer, string name, Tensor tensor, long index)
    {
        var i = (int)index;
        switch (tensor.DataType)
        {
            case TensorDataType.Float:
                WriteFloating(writer, tensor.AsSpan<float>()[i], singlePrecision: true);
                break;
            case TensorDataType.Double:
                WriteFloating(writer, tensor.AsSpan<double>()[i], singlePrecision: false);
                break;
            case TensorDataType.Float16:
                WriteFloating(writer, (float)BitConverter.UInt16BitsToHalf(tensor.AsSpan<ushort>()[i]), singlePrecision: true);
                break;
            case TensorDataType.BFloat16:
                WriteFloating(writer, BitConverter.UInt32BitsToSingle((uint)tensor.AsSpan<ushort>()[i] << 16), singlePrecision: true);
                break;
            case TensorDataType.Int8:
                writer.WriteNumberValue(tensor.AsSpan<sbyte>()[i]);
                break;
            case TensorDataType.Int16:
                writer.WriteNumberValue(tensor.AsSpan<short>()[i]);
                break;
            case TensorDataType.Int32:
                writer.WriteNumberValue(tensor.AsSpan<int>()[i]);
                break;
            case TensorDataType.Int64:
                writer.WriteNumberValue(tensor.AsSpan<long>()[i]);
                break;
            case TensorDataType.UInt8:
                writer.WriteNumberValue(tensor.AsSpan<byte>()[i]);
                break;
            case TensorDataType.UInt16:
                writer.WriteNumberValue(tensor.AsSpan<ushort>()[i]);
                break;
            case TensorDataType.UInt32:
                writer.WriteNumberValue(tensor.AsSpan<uint>()[i]);
                break;
            case TensorDataType.UInt64:
                writer.WriteNumberValue(tensor.AsSpan<ulong>()[i]);
                break;
            case TensorDataType.Bool:
                writer.WriteBooleanValue(tensor.AsSpan<byte>()[i] != 0);
                break;
            case TensorDataType.String:
                var value = tensor.Strings[i].Span;
                if (name.EndsWith("_bytes", StringComparison.Ordinal))
                {
                    writer.WriteStartObject();
                    writer.WriteBase64String("b64"u8, value);
                    writer.WriteEndObject();
                }
                else if (System.Text.Unicode.Utf8.IsValid(value))
                {
                    writer.WriteStringValue(value);
                }
                else
                {
                    // JSON text must be UTF-8; bytes that are not come out as U+FFFD rather than failing the reply.
                    writer.WriteStringValue(System.Text.Encoding.UTF8.GetString(value));
                }

                break;
            default:
                throw ServingException.InvalidArgument($"Failed to write JSON value for tensor type: {tensor.DataType.ToTfName()}");
        }
    }

    private static void WriteFloating(Utf8JsonWriter writer, double value, bool singlePrecision)
    {
        Span<byte> text = stackalloc byte[40];
        var length = TfFloatFormatter.Format(value, singlePrecision, text);
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }
}
