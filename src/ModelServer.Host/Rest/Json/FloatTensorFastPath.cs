using System.Runtime.InteropServices;
using System.Text;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Host.Rest.Json;

/// <summary>
/// The common REST predict body read without a tokenizer: <c>{"instances": …}</c>, <c>{"inputs": …}</c> or
/// <c>{"inputs": {"name": …}}</c>, optionally with a <c>"signature_name"</c>, for a model whose one input is float,
/// the value a rectangular nest of plain JSON numbers (a Keras client's image), each read by
/// <see cref="JsonFloatFastParser"/>. Anything else, and anything wrong, gives null and the body goes to
/// <see cref="PredictJsonReader"/>'s general parser, which stays the reference for every value and every error text:
/// this path accepts only bodies that parser accepts, and builds the same tensor from them (tested side by side).
/// Measured on a 150×150×3 image (bench/ModelServer.Benchmarks, JsonDecodeBenchmarks): Utf8JsonReader's tokens were
/// half of the general parser's time and float parsing a third.
/// </summary>
internal static class FloatTensorFastPath
{
    private const int MaxRank = 32;

    /// <summary>The parsed body, or null when this path does not take it (the general parser then decides).</summary>
    public static ParsedPredictRequest? TryParse(ReadOnlySpan<byte> body, ModelSignature signature, long maxElements)
    {
        if (signature.Inputs.Count != 1 || signature.Inputs[0].DataType != TensorDataType.Float)
        {
            return null;
        }

        int pos = 0;
        if (!Consume(body, ref pos, (byte)'{'))
        {
            return null;
        }

        string? signatureName = null;
        bool? rowFormat = null;
        Tensor? tensor = null;
        try
        {
            while (true)
            {
                if (!TryReadPlainString(body, ref pos, out var key) || !Consume(body, ref pos, (byte)':'))
                {
                    return null;
                }

                if (key.SequenceEqual("signature_name"u8) && signatureName is null)
                {
                    if (!TryReadPlainString(body, ref pos, out var name))
                    {
                        return null;
                    }

                    signatureName = Encoding.ASCII.GetString(name);
                }
                else if ((key.SequenceEqual("instances"u8) || key.SequenceEqual("inputs"u8)) && rowFormat is null)
                {
                    rowFormat = key.Length == "instances".Length;
                    tensor = rowFormat.Value ? TryReadTensor(body, ref pos, maxElements) : TryReadColumn(body, ref pos, signature.Inputs[0].Name, maxElements);
                    if (tensor is null)
                    {
                        return null;
                    }
                }
                else
                {
                    // Unknown or repeated keys: the general parser's rules.
                    return null;
                }

                if (Consume(body, ref pos, (byte)','))
                {
                    continue;
                }

                if (Consume(body, ref pos, (byte)'}'))
                {
                    break;
                }

                return null;
            }

            SkipWhitespace(body, ref pos);
            if (pos != body.Length || tensor is null)
            {
                return null;
            }

            var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [signature.Inputs[0].Name] = tensor };
            tensor = null;
            return new ParsedPredictRequest(signatureName, rowFormat!.Value, inputs);
        }
        finally
        {
            tensor?.Dispose();
        }
    }

    /// <summary>Columnar <c>inputs</c>: the tensor itself, or an object whose one key is the input's name.</summary>
    private static Tensor? TryReadColumn(ReadOnlySpan<byte> body, ref int pos, string inputName, long maxElements)
    {
        if (!Consume(body, ref pos, (byte)'{'))
        {
            return TryReadTensor(body, ref pos, maxElements);
        }

        if (!TryReadPlainString(body, ref pos, out var key) || !Consume(body, ref pos, (byte)':') || !Ascii.Equals(key, inputName))
        {
            return null;
        }

        var tensor = TryReadTensor(body, ref pos, maxElements);
        if (tensor is not null && !Consume(body, ref pos, (byte)'}'))
        {
            tensor.Dispose();
            return null;
        }

        return tensor;
    }

    /// <summary>
    /// A nest of arrays of numbers starting at <paramref name="pos"/>: every array at one level as long as the first,
    /// every number at the same depth, no empty array. The floats go into a <see cref="PooledBufferWriter"/> that starts
    /// at one float per 8 bytes of body (what an image's numbers take; at most half the body's size, which is already in
    /// memory) and doubles as needed, refusing before it grows past <paramref name="maxElements"/>.
    /// </summary>
    private static Tensor? TryReadTensor(ReadOnlySpan<byte> body, ref int pos, long maxElements)
    {
        SkipWhitespace(body, ref pos);
        if (pos >= body.Length || body[pos] != (byte)'[')
        {
            return null;
        }

        long limit = Math.Min(maxElements, Array.MaxLength / sizeof(float));
        Span<long> dims = stackalloc long[MaxRank];
        Span<long> counts = stackalloc long[MaxRank];
        dims.Fill(-1);
        int level = -1, depth = -1;
        long count = 0;

        // Owns the floats until the tensor takes its array; returns it to the pool on every other way out.
        using var buffer = new PooledBufferWriter((int)Math.Min(limit * sizeof(float), body.Length / 2), limit * sizeof(float));
        Span<float> free = default;
        int used = 0;
        while (true)
        {
            // A value: an array opens a level, a number is an element of the innermost one.
            SkipWhitespace(body, ref pos);
            if (pos >= body.Length)
            {
                return null;
            }

            if (body[pos] == (byte)'[')
            {
                level++;
                if (level >= MaxRank || (depth >= 0 && level >= depth))
                {
                    return null;
                }

                counts[level] = 0;
                pos++;
                continue;
            }

            if (used == free.Length)
            {
                // The writer refuses past the element limit, and the general parser then says so in its words.
                buffer.Advance(used * sizeof(float));
                if (!buffer.TryEnsure(sizeof(float)))
                {
                    return null;
                }

                free = MemoryMarshal.Cast<byte, float>(buffer.GetSpan());
                free = free[..(int)Math.Min(free.Length, limit - count)];
                used = 0;
            }

            if (level < 0 || (depth >= 0 && level + 1 != depth) || !JsonFloatFastParser.TryRead(body, ref pos, out free[used]))
            {
                return null;
            }

            depth = level + 1;
            used++;
            count++;
            counts[level]++;

            // After a value: a comma and the next value, or the ends of as many arrays as close here.
            while (true)
            {
                SkipWhitespace(body, ref pos);
                if (pos >= body.Length)
                {
                    return null;
                }

                if (body[pos] == (byte)',')
                {
                    pos++;
                    break;
                }

                if (body[pos] != (byte)']')
                {
                    return null;
                }

                pos++;
                if (dims[level] < 0)
                {
                    dims[level] = counts[level];
                }
                else if (dims[level] != counts[level])
                {
                    return null;
                }

                if (--level < 0)
                {
                    buffer.Advance(used * sizeof(float));
                    return Tensor.FromPooledArray(TensorDataType.Float, dims[..depth].ToArray(), buffer.DetachArray());
                }

                counts[level]++;
            }
        }
    }

    /// <summary>A string of printable ASCII with no escapes (what keys and signature names are); its bytes without quotes.</summary>
    private static bool TryReadPlainString(ReadOnlySpan<byte> body, ref int pos, out ReadOnlySpan<byte> text)
    {
        text = default;
        SkipWhitespace(body, ref pos);
        if (pos >= body.Length || body[pos] != (byte)'"')
        {
            return false;
        }

        int start = pos + 1;
        int end = body[start..].IndexOf((byte)'"');
        if (end < 0)
        {
            return false;
        }

        text = body.Slice(start, end);
        foreach (var b in text)
        {
            if (b is < 0x20 or >= 0x7F or (byte)'\\')
            {
                return false;
            }
        }

        pos = start + end + 1;
        return true;
    }

    /// <summary>Skips whitespace, then takes <paramref name="expected"/> if it is next.</summary>
    private static bool Consume(ReadOnlySpan<byte> body, ref int pos, byte expected)
    {
        SkipWhitespace(body, ref pos);
        if (pos < body.Length && body[pos] == expected)
        {
            pos++;
            return true;
        }

        return false;
    }

    private static void SkipWhitespace(ReadOnlySpan<byte> body, ref int pos)
    {
        while (pos < body.Length && body[pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            pos++;
        }
    }
}
