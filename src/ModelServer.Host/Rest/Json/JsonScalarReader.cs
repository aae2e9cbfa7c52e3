using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Host.Rest.Json;

/// <summary>
/// Converts one JSON scalar (or <c>{"b64": …}</c> object) to the input's dtype and appends it, with TF Serving's
/// rules and texts: <c>1.0</c> is no int32, bools are only <c>true</c>/<c>false</c>, numbers beyond FLT_MAX become
/// ±inf. Where TF Serving refuses, we do better: half and bfloat16 take numbers, base64 takes both alphabets and
/// optional padding, and integers out of their type's range are refused instead of wrapped.
/// </summary>
internal static class JsonScalarReader
{
    public static void Read(ref Utf8JsonReader reader, JsonTensorBuilder builder, ReadOnlySpan<byte> body)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                ReadNumber(ref reader, builder, body);
                return;
            case JsonTokenType.String when builder.Type == TensorDataType.String:
                builder.AddString(Unescaped(ref reader));
                return;
            case JsonTokenType.String when IsFloatType(builder.Type) && TryNonFinite(ref reader, out var special):
                AddFloating(builder, special);
                return;
            case JsonTokenType.True or JsonTokenType.False when builder.Type == TensorDataType.Bool:
                builder.Add((byte)(reader.TokenType == JsonTokenType.True ? 1 : 0));
                return;
            case JsonTokenType.StartObject when builder.Type == TensorDataType.String:
                builder.AddString(ReadBase64Object(ref reader, body));
                return;
            case JsonTokenType.StartObject when builder.AcceptsImages:
                // An encoded image in place of a float image input's pixels; decoded after parsing, as a batch.
                builder.AddImage(ReadBase64Object(ref reader, body));
                return;
            default:
                throw TypeMismatch(reader, builder, body);
        }
    }

    /// <summary>True when the reader stands on <c>{"b64": "…"}</c> (exactly that one key); the reader is not moved.</summary>
    public static bool IsBase64Object(Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        return reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("b64"u8)
               && reader.Read() && reader.TokenType == JsonTokenType.String
               && reader.Read() && reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>Decodes a <c>{"b64": "…"}</c> object and leaves the reader on its end.</summary>
    public static byte[] ReadBase64Object(ref Utf8JsonReader reader, ReadOnlySpan<byte> body)
    {
        if (!IsBase64Object(reader))
        {
            throw ServingException.InvalidArgument($"JSON Value: {JsonText.Describe(reader, body)} not formatted correctly for base64 data");
        }

        reader.Read();
        reader.Read();
        var text = Unescaped(ref reader);
        reader.Read();
        return DecodeBase64(text.Span) ?? throw ServingException.InvalidArgument("Unable to base64 decode");
    }

    /// <summary>Standard or URL-safe alphabet, padding optional; null when the text is not base64.</summary>
    public static byte[]? DecodeBase64(ReadOnlySpan<byte> text)
    {
        if (text.IndexOfAny((byte)'-', (byte)'_') >= 0)
        {
            return Base64Url.IsValid(text) ? Base64Url.DecodeFromUtf8(text) : null;
        }

        var padded = text;
        byte[]? rented = null;
        if (text.Length % 4 != 0)
        {
            var length = text.Length + (4 - (text.Length % 4));
            rented = ArrayPool<byte>.Shared.Rent(length);
            text.CopyTo(rented);
            rented.AsSpan(text.Length, length - text.Length).Fill((byte)'=');
            padded = rented.AsSpan(0, length);
        }

        try
        {
            var output = new byte[Base64.GetMaxDecodedFromUtf8Length(padded.Length)];
            var status = Base64.DecodeFromUtf8(padded, output, out _, out var written);
            return status == OperationStatus.Done ? output.AsSpan(0, written).ToArray() : null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static ReadOnlyMemory<byte> Unescaped(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return reader.ValueSpan.ToArray();
        }

        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var buffer = new byte[length];
        var written = reader.CopyString(buffer);
        return buffer.AsMemory(0, written);
    }

    private static bool IsFloatType(TensorDataType type)
        => type is TensorDataType.Float or TensorDataType.Double or TensorDataType.Float16 or TensorDataType.BFloat16;

    private static bool TryNonFinite(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        if (!reader.ValueIsEscaped)
        {
            return false;
        }

        var text = reader.GetString();
        value = text switch
        {
            NonFiniteTokens.NaN => double.NaN,
            NonFiniteTokens.PositiveInfinity => double.PositiveInfinity,
            NonFiniteTokens.NegativeInfinity => double.NegativeInfinity,
            _ => 0,
        };
        return text is NonFiniteTokens.NaN or NonFiniteTokens.PositiveInfinity or NonFiniteTokens.NegativeInfinity;
    }

    private static void ReadNumber(ref Utf8JsonReader reader, JsonTensorBuilder builder, ReadOnlySpan<byte> body)
    {
        // The common case first: short numbers exactly (JsonFloatFastParser, the whole token or nothing), then
        // Utf8JsonReader's own parser, finite values only (it refuses ±inf).
        if (builder.Type == TensorDataType.Float)
        {
            int end = 0;
            if (!reader.HasValueSequence && JsonFloatFastParser.TryRead(reader.ValueSpan, ref end, out var fast) && end == reader.ValueSpan.Length)
            {
                builder.Add(fast);
                return;
            }

            if (reader.TryGetSingle(out var single))
            {
                builder.Add(single);
                return;
            }
        }

        if (IsFloatType(builder.Type))
        {
            var span = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
            if (!double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                throw TypeMismatch(reader, builder, body);
            }

            AddFloating(builder, d);
            return;
        }

        switch (builder.Type)
        {
            case TensorDataType.Int32:
                builder.Add(checked((int)Integer(ref reader, builder, body, int.MinValue, int.MaxValue)));
                return;
            case TensorDataType.Int16:
                builder.Add((short)Integer(ref reader, builder, body, short.MinValue, short.MaxValue));
                return;
            case TensorDataType.Int8:
                builder.Add((sbyte)Integer(ref reader, builder, body, sbyte.MinValue, sbyte.MaxValue));
                return;
            case TensorDataType.UInt8:
                builder.Add((byte)Integer(ref reader, builder, body, byte.MinValue, byte.MaxValue));
                return;
            case TensorDataType.UInt16:
                builder.Add((ushort)Integer(ref reader, builder, body, ushort.MinValue, ushort.MaxValue));
                return;
            case TensorDataType.UInt32:
                builder.Add((uint)Integer(ref reader, builder, body, uint.MinValue, uint.MaxValue));
                return;
            case TensorDataType.Int64:
                builder.Add(Integer(ref reader, builder, body, long.MinValue, long.MaxValue));
                return;
            case TensorDataType.UInt64:
                if (!reader.TryGetUInt64(out var u))
                {
                    throw TypeMismatch(reader, builder, body);
                }

                builder.Add(u);
                return;
            default:
                throw TypeMismatch(reader, builder, body);
        }
    }

    private static long Integer(ref Utf8JsonReader reader, JsonTensorBuilder builder, ReadOnlySpan<byte> body, long min, long max)
    {
        if (!reader.TryGetInt64(out var value))
        {
            throw TypeMismatch(reader, builder, body);
        }

        if (value < min || value > max)
        {
            throw ServingException.InvalidArgument(
                $"JSON Value: {JsonText.Describe(reader, body)} is out of range for type: {builder.Type.ToTfName()}");
        }

        return value;
    }

    private static void AddFloating(JsonTensorBuilder builder, double value)
    {
        switch (builder.Type)
        {
            case TensorDataType.Float:
                builder.Add((float)value);
                break;
            case TensorDataType.Double:
                builder.Add(value);
                break;
            case TensorDataType.Float16:
                builder.Add(BitConverter.HalfToUInt16Bits((Half)value));
                break;
            default:
                builder.Add(BFloat16Bits((float)value));
                break;
        }
    }

    /// <summary>Round-to-nearest-even float → bfloat16 bits.</summary>
    private static ushort BFloat16Bits(float value)
    {
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        var bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    private static ServingException TypeMismatch(Utf8JsonReader reader, JsonTensorBuilder builder, ReadOnlySpan<byte> body)
    {
        var hint = reader.TokenType == JsonTokenType.StartObject && IsBase64Object(reader)
            ? $" ({{\"b64\": …}} holds bytes, so it only fits a string input; '{builder.Name}' is {builder.Type.ToTfName()})"
            : string.Empty;
        return ServingException.InvalidArgument(
            $"JSON Value: {JsonText.Describe(reader, body)} Type: {JsonText.TypeName(reader.TokenType)} is not of expected type: {builder.Type.ToTfName()}{hint}");
    }
}
