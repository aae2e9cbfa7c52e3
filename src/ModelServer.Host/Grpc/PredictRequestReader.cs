using System.Buffers;
using System.Text;
using Google.Protobuf;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.Host.Grpc;

/// <summary>
/// Parses a <c>PredictRequest</c> so that each input's <c>tensor_content</c> lands in an array rented from
/// <see cref="ArrayPool{T}.Shared"/> instead of a fresh one. Google.Protobuf copies every bytes field into a new
/// array; for an image tensor that is a 270 KB large-object allocation per request, whose page faults and gen-2
/// collections cost more than the copy itself. Everything else in the message is parsed by Google.Protobuf.
/// </summary>
/// <remarks>
/// Only the common shape is read here: top-level fields, <c>inputs</c> map entries, and at most one
/// <c>tensor_content</c> per tensor. Anything else (a repeated value or key in an entry, a repeated
/// <c>tensor_content</c>, groups, a malformed length) falls back to Google.Protobuf's parser on the whole payload,
/// which gives its usual result or error.
/// </remarks>
internal static class PredictRequestReader
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private const int InputsField = 2;
    private const int EntryKeyField = 1;
    private const int EntryValueField = 2;
    private const int TensorContentField = 4;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static PooledPredictRequest Read(ReadOnlySequence<byte> payload)
    {
        var rented = new List<byte[]>(1);
        try
        {
            if (TryRead(payload, rented, out var request))
            {
                return new PooledPredictRequest(request, rented);
            }
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or DecoderFallbackException)
        {
            // The fallback below parses the whole payload again and reports the error as Google.Protobuf words it.
        }

        foreach (var array in rented)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        return new PooledPredictRequest(PredictRequest.Parser.ParseFrom(payload), []);
    }

    private static bool TryRead(ReadOnlySequence<byte> payload, List<byte[]> rented, out PredictRequest request)
    {
        request = null!;
        var reader = new SequenceReader<byte>(payload);
        var rest = new ArrayBufferWriter<byte>(64);
        var inputs = new List<(string Key, TensorProto Value)>();
        while (!reader.End)
        {
            var start = reader.Position;
            if (!TryReadTag(ref reader, out var field, out var wire))
            {
                return false;
            }

            if (field == InputsField && wire == WireLengthDelimited)
            {
                if (!TryReadLengthDelimited(ref reader, out var entry) || !TryReadEntry(entry, rented, out var key, out var value))
                {
                    return false;
                }

                inputs.Add((key, value));
            }
            else
            {
                if (!TrySkip(ref reader, wire))
                {
                    return false;
                }

                Append(rest, payload.Slice(start, reader.Position));
            }
        }

        request = PredictRequest.Parser.ParseFrom(rest.WrittenSpan);
        foreach (var (key, value) in inputs)
        {
            // A repeated key replaces the earlier entry, as Google.Protobuf's map parsing does.
            request.Inputs[key] = value;
        }

        return true;
    }

    private static bool TryReadEntry(ReadOnlySequence<byte> entry, List<byte[]> rented, out string key, out TensorProto value)
    {
        key = string.Empty;
        value = null!;
        bool seenKey = false, seenValue = false;
        var reader = new SequenceReader<byte>(entry);
        while (!reader.End)
        {
            if (!TryReadTag(ref reader, out var field, out var wire))
            {
                return false;
            }

            if (field == EntryKeyField && wire == WireLengthDelimited)
            {
                if (seenKey || !TryReadLengthDelimited(ref reader, out var bytes))
                {
                    return false;
                }

                key = StrictUtf8.GetString(bytes);
                seenKey = true;
            }
            else if (field == EntryValueField && wire == WireLengthDelimited)
            {
                // A second value would be merged into the first by Google.Protobuf: left to the fallback.
                if (seenValue || !TryReadLengthDelimited(ref reader, out var tensor) || !TryReadTensor(tensor, rented, out value))
                {
                    return false;
                }

                seenValue = true;
            }
            else if (!TrySkip(ref reader, wire))
            {
                return false;
            }
        }

        value ??= new TensorProto();
        return true;
    }

    private static bool TryReadTensor(ReadOnlySequence<byte> tensor, List<byte[]> rented, out TensorProto value)
    {
        value = null!;
        var reader = new SequenceReader<byte>(tensor);
        SequencePosition contentStart = default, contentEnd = default;
        ReadOnlySequence<byte> content = default;
        var found = false;
        while (!reader.End)
        {
            var start = reader.Position;
            if (!TryReadTag(ref reader, out var field, out var wire))
            {
                return false;
            }

            if (field == TensorContentField && wire == WireLengthDelimited)
            {
                if (found || !TryReadLengthDelimited(ref reader, out content))
                {
                    return false;
                }

                (found, contentStart, contentEnd) = (true, start, reader.Position);
            }
            else if (!TrySkip(ref reader, wire))
            {
                return false;
            }
        }

        if (!found || content.Length == 0)
        {
            value = TensorProto.Parser.ParseFrom(tensor);
            return true;
        }

        // The other fields (dtype, shape, ...) are small: parsed from a copy that leaves tensor_content out.
        var rest = new ArrayBufferWriter<byte>(64);
        Append(rest, tensor.Slice(0, contentStart));
        Append(rest, tensor.Slice(contentEnd));
        value = TensorProto.Parser.ParseFrom(rest.WrittenSpan);

        var length = checked((int)content.Length);
        var array = ArrayPool<byte>.Shared.Rent(length);
        rented.Add(array);
        content.CopyTo(array);
        value.TensorContent = UnsafeByteOperations.UnsafeWrap(array.AsMemory(0, length));
        return true;
    }

    private static bool TryReadTag(ref SequenceReader<byte> reader, out int field, out int wire)
    {
        field = wire = 0;
        if (!TryReadVarint(ref reader, out var tag) || tag > uint.MaxValue)
        {
            return false;
        }

        field = (int)(tag >> 3);
        wire = (int)(tag & 7);
        return field > 0;
    }

    private static bool TryReadLengthDelimited(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> value)
    {
        value = default;
        if (!TryReadVarint(ref reader, out var length) || length > (ulong)reader.Remaining)
        {
            return false;
        }

        value = reader.UnreadSequence.Slice(0, (long)length);
        reader.Advance((long)length);
        return true;
    }

    private static bool TrySkip(ref SequenceReader<byte> reader, int wire)
    {
        switch (wire)
        {
            case WireVarint:
                return TryReadVarint(ref reader, out _);
            case WireFixed64:
                return reader.Remaining >= 8 && Advance(ref reader, 8);
            case WireLengthDelimited:
                return TryReadLengthDelimited(ref reader, out _);
            case WireFixed32:
                return reader.Remaining >= 4 && Advance(ref reader, 4);
            default:
                // Groups (3, 4) and invalid wire types: the fallback parser handles or rejects them.
                return false;
        }
    }

    private static bool Advance(ref SequenceReader<byte> reader, int count)
    {
        reader.Advance(count);
        return true;
    }

    private static bool TryReadVarint(ref SequenceReader<byte> reader, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    private static void Append(ArrayBufferWriter<byte> writer, ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            writer.Write(segment.Span);
        }
    }
}
