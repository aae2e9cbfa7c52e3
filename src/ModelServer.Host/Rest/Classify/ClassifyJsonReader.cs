using System.Text.Json;
using ModelServer.Host.Rest.Json;
using ModelServer.Runtime.Classification;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Rest.Classify;

/// <summary>
/// Streams TF Serving's REST classify body, <c>{"signature_name", "context": {…}, "examples": [{…}, …]}</c>, with
/// <see cref="Utf8JsonReader"/> (no DOM). A feature value is a scalar or a flat list: strings and
/// <c>{"b64": …}</c> become bytes, whole numbers int64, other numbers float (as tf.Example's three lists).
/// </summary>
internal static class ClassifyJsonReader
{
    public static ParsedClassifyRequest Parse(ReadOnlySpan<byte> body, int maxExamples)
    {
        try
        {
            return ParseCore(body, maxExamples);
        }
        catch (JsonException ex)
        {
            throw ServingException.InvalidArgument($"JSON Parse error: {ex.Message}");
        }
    }

    private static ParsedClassifyRequest ParseCore(ReadOnlySpan<byte> body, int maxExamples)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw ServingException.InvalidArgument("JSON Value is not an object: expected {\"examples\": [...]}");
        }

        string? signatureName = null;
        Dictionary<string, ExampleFeature>? context = null;
        List<Dictionary<string, ExampleFeature>>? examples = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("signature_name"u8))
            {
                reader.Read();
                signatureName = reader.TokenType == JsonTokenType.String
                    ? reader.GetString()
                    : throw ServingException.InvalidArgument("'signature_name' key must be a string value.");
            }
            else if (reader.ValueTextEquals("context"u8))
            {
                reader.Read();
                context = ReadExample(ref reader, body, "context");
            }
            else if (reader.ValueTextEquals("examples"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw ServingException.InvalidArgument("'examples' must be an array of objects");
                }

                examples = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (examples.Count == maxExamples)
                    {
                        throw ServingException.InvalidArgument($"more than {maxExamples} examples in one request (Images:MaxImagesPerRequest)");
                    }

                    examples.Add(ReadExample(ref reader, body, $"example {examples.Count}"));
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (examples is null || examples.Count == 0)
        {
            throw ServingException.InvalidArgument("'examples' is missing or empty");
        }

        if (context is not null)
        {
            foreach (var example in examples)
            {
                foreach (var (name, feature) in context)
                {
                    example.TryAdd(name, feature);
                }
            }
        }

        return new ParsedClassifyRequest(signatureName, examples);
    }

    private static Dictionary<string, ExampleFeature> ReadExample(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string what)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw ServingException.InvalidArgument($"{what} must be an object of features");
        }

        var features = new Dictionary<string, ExampleFeature>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            features[name] = ReadFeature(ref reader, body, what, name);
        }

        return features;
    }

    private static ExampleFeature ReadFeature(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string what, string name)
    {
        var bytes = new List<ReadOnlyMemory<byte>>();
        var numbers = new List<double>();
        var longs = new List<long>();
        var integral = true;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                ReadValue(ref reader, body, what, name, bytes, numbers, longs, ref integral);
            }
        }
        else
        {
            ReadValue(ref reader, body, what, name, bytes, numbers, longs, ref integral);
        }

        if (bytes.Count > 0 && numbers.Count > 0)
        {
            throw ServingException.InvalidArgument($"{what}: feature '{name}' mixes strings and numbers");
        }

        if (bytes.Count > 0)
        {
            return ExampleFeature.FromBytes(bytes);
        }

        return integral
            ? ExampleFeature.FromInt64s(longs)
            : ExampleFeature.FromFloats([.. numbers.Select(n => (float)n)]);
    }

    private static void ReadValue(
        ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string what, string name, List<ReadOnlyMemory<byte>> bytes, List<double> numbers, List<long> longs, ref bool integral)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                bytes.Add(reader.GetString() is { } text ? System.Text.Encoding.UTF8.GetBytes(text) : []);
                break;
            case JsonTokenType.StartObject:
                bytes.Add(JsonScalarReader.ReadBase64Object(ref reader, body));
                break;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var whole))
                {
                    longs.Add(whole);
                }
                else
                {
                    integral = false;
                }

                numbers.Add(reader.GetDouble());
                break;
            default:
                throw ServingException.InvalidArgument(
                    $"{what}: feature '{name}' must be a string, number, {{\"b64\": …}} or a flat list of them, got {reader.TokenType}");
        }
    }
}
