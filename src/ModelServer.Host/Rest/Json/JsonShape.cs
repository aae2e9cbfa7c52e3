using System.Text.Json;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Rest.Json;

/// <summary>
/// Infers a tensor's shape from JSON nesting as TF Serving does: dims come from the first element at each
/// level, <c>[]</c> is dim 0 and ends the shape, and ragged input is refused with TF Serving's messages.
/// </summary>
internal sealed class JsonShape
{
    private readonly List<long> _dims = [];

    public int Rank { get; private set; } = -1;

    public long[] ToArray() => _dims.Take(Math.Max(Rank, 0)).ToArray();

    /// <summary>Reads the value at the reader (scalar or nested lists) into <paramref name="builder"/>, leaving the reader on its last token.</summary>
    public void ReadValue(ref Utf8JsonReader reader, JsonTensorBuilder builder, ReadOnlySpan<byte> body) => Read(ref reader, builder, body, 0);

    private void Read(ref Utf8JsonReader reader, JsonTensorBuilder builder, ReadOnlySpan<byte> body, int level)
    {
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            if (Rank >= 0 && level >= Rank)
            {
                throw ServingException.InvalidArgument($"Encountered list at unexpected level: {level} expected < {Rank}");
            }

            long count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                Read(ref reader, builder, body, level + 1);
                count++;
            }

            while (_dims.Count <= level)
            {
                _dims.Add(-1);
            }

            if (_dims[level] < 0)
            {
                _dims[level] = count;
                if (count == 0 && Rank < 0)
                {
                    Rank = level + 1;
                }
            }
            else if (_dims[level] != count)
            {
                throw ServingException.InvalidArgument($"Encountered list at unexpected size: {count} at level: {level} expected size: {_dims[level]}");
            }

            return;
        }

        if (Rank < 0)
        {
            Rank = level;
        }
        else if (level != Rank)
        {
            throw ServingException.InvalidArgument(
                $"JSON Value: {JsonText.Describe(reader, body)} found at incorrect level: {level + 1} in the JSON DOM. Expected at level: {Rank + 1}");
        }

        JsonScalarReader.Read(ref reader, builder, body);
    }
}
