using System.Text;
using System.Text.Json;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Host.Rest.Json;

/// <summary>
/// Streams a TF Serving REST predict body (row <c>instances</c> or columnar <c>inputs</c>) with
/// <see cref="Utf8JsonReader"/> straight into typed tensor buffers: no DOM of the body is built. Values are read
/// against the model's one signature as they come, so a body is parsed once. Errors follow TF Serving's texts.
/// </summary>
internal static class PredictJsonReader
{
    private const int MaxDocumentText = 256;

    private static readonly HashSet<string> NoImageInputs = [];

    /// <param name="imageInputs">Float inputs that also take <c>{"b64": …}</c> encoded images (they come back as string tensors).</param>
    public static ParsedPredictRequest Parse(ReadOnlySpan<byte> body, ModelSignature signature, long maxElements, IReadOnlySet<string>? imageInputs = null)
        => FloatTensorFastPath.TryParse(body, signature, maxElements) ?? ParseGeneral(body, signature, maxElements, imageInputs);

    /// <summary>Any body, every error with TF Serving's text; <see cref="Parse"/> tries <see cref="FloatTensorFastPath"/> first.</summary>
    internal static ParsedPredictRequest ParseGeneral(ReadOnlySpan<byte> body, ModelSignature signature, long maxElements, IReadOnlySet<string>? imageInputs = null)
    {
        imageInputs ??= NoImageInputs;
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw ServingException.InvalidArgument("JSON Parse error: The document is empty");
        }

        try
        {
            return ParseCore(body, signature, maxElements, imageInputs);
        }
        catch (JsonException first)
        {
            var rewritten = NonFiniteTokens.Rewrite(body);
            if (rewritten is null)
            {
                throw ParseError(first);
            }

            try
            {
                return ParseCore(rewritten, signature, maxElements, imageInputs);
            }
            catch (JsonException second)
            {
                throw ParseError(second);
            }
        }
    }

    private static ServingException ParseError(JsonException ex)
    {
        var reason = ex.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            reason = reason[..cut];
        }

        return ServingException.InvalidArgument($"JSON Parse error: {reason} at offset: {ex.BytePositionInLine ?? 0}");
    }

    private static ParsedPredictRequest ParseCore(ReadOnlySpan<byte> body, ModelSignature signature, long maxElements, IReadOnlySet<string> imageInputs)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read())
        {
            throw ServingException.InvalidArgument("JSON Parse error: The document is empty");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw ServingException.InvalidArgument($"JSON Value: {Document(body)} Is not object");
        }

        string? signatureName = null;
        Dictionary<string, Tensor>? inputs = null;
        bool? rowFormat = null;
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                if (reader.ValueTextEquals("signature_name"u8))
                {
                    reader.Read();
                    signatureName = reader.TokenType == JsonTokenType.String
                        ? reader.GetString()
                        : throw ServingException.InvalidArgument($"JSON Value: {Document(body)} not formatted correctly. 'signature_name' key must be a string value.");
                }
                else if (reader.ValueTextEquals("instances"u8) || reader.ValueTextEquals("inputs"u8))
                {
                    var isRow = reader.ValueTextEquals("instances"u8);
                    if (rowFormat is { } seen && seen != isRow)
                    {
                        throw ServingException.InvalidArgument(
                            $"JSON Value: {Document(body)} Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist");
                    }

                    rowFormat = isRow;
                    reader.Read();
                    Dispose(inputs);
                    inputs = null;
                    inputs = isRow ? ReadRows(ref reader, signature, body, maxElements, imageInputs) : ReadColumns(ref reader, signature, body, maxElements, imageInputs);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (inputs is null)
            {
                throw ServingException.InvalidArgument("Missing 'inputs' or 'instances' key");
            }

            var parsed = new ParsedPredictRequest(signatureName, rowFormat!.Value, inputs);
            inputs = null;
            return parsed;
        }
        finally
        {
            Dispose(inputs);
        }
    }

    private static Dictionary<string, Tensor> ReadRows(ref Utf8JsonReader reader, ModelSignature signature, ReadOnlySpan<byte> body, long maxElements, IReadOnlySet<string> imageInputs)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.InvalidArgument("Expecting 'instances' to be an list/array");
        }

        var peek = reader;
        peek.Read();
        if (peek.TokenType == JsonTokenType.EndArray)
        {
            throw ServingException.InvalidArgument("No values in 'instances' array");
        }

        var objectMode = peek.TokenType == JsonTokenType.StartObject && !JsonScalarReader.IsBase64Object(peek);
        if (!objectMode && signature.Inputs.Count != 1)
        {
            throw ServingException.InvalidArgument(
                "instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map");
        }

        var builders = signature.Inputs.ToDictionary(i => i.Name, i => new JsonTensorBuilder(i.Name, i.DataType, maxElements, imageInputs.Contains(i.Name)), StringComparer.Ordinal);
        var firstShapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        try
        {
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (objectMode)
                {
                    ReadRowObject(ref reader, signature, builders, firstShapes, index, body);
                }
                else
                {
                    if (reader.TokenType == JsonTokenType.StartObject && !JsonScalarReader.IsBase64Object(reader))
                    {
                        throw ServingException.InvalidArgument($"Expecting value/list but got object at item {index} of input list");
                    }

                    var only = signature.Inputs[0].Name;
                    ReadRowValue(ref reader, builders[only], firstShapes, index, key: null, body);
                }

                index++;
            }

            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (name, builder) in builders)
            {
                tensors[name] = builder.Build([index, .. firstShapes[name]]);
            }

            return tensors;
        }
        finally
        {
            foreach (var builder in builders.Values)
            {
                builder.Dispose();
            }
        }
    }

    private static void ReadRowObject(
        ref Utf8JsonReader reader,
        ModelSignature signature,
        Dictionary<string, JsonTensorBuilder> builders,
        Dictionary<string, long[]> firstShapes,
        int index,
        ReadOnlySpan<byte> body)
    {
        if (reader.TokenType != JsonTokenType.StartObject || JsonScalarReader.IsBase64Object(reader))
        {
            throw ServingException.InvalidArgument($"Expecting object but got list at item {index} of input list");
        }

        var start = (int)reader.TokenStartIndex;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            if (!builders.TryGetValue(key, out var builder))
            {
                throw ServingException.InvalidArgument($"JSON object: does not have named input: {key}");
            }

            if (!seen.Add(key))
            {
                throw ServingException.InvalidArgument($"Failed to process element: {index} of 'instances' list. JSON object has input {key} twice");
            }

            reader.Read();
            ReadRowValue(ref reader, builder, firstShapes, index, key, body);
        }

        if (seen.Count != signature.Inputs.Count)
        {
            var text = Truncate(body[start..(int)reader.BytesConsumed]);
            var names = string.Join(",", signature.Inputs.Select(i => i.Name).Order(StringComparer.Ordinal));
            throw ServingException.InvalidArgument(
                $"Failed to process element: {index} of 'instances' list. JSON object: {text} keys must be equal to: {names}");
        }
    }

    private static void ReadRowValue(
        ref Utf8JsonReader reader,
        JsonTensorBuilder builder,
        Dictionary<string, long[]> firstShapes,
        int index,
        string? key,
        ReadOnlySpan<byte> body)
    {
        try
        {
            var shape = new JsonShape();
            shape.ReadValue(ref reader, builder, body);
            var elementShape = shape.ToArray();
            if (!firstShapes.TryGetValue(builder.Name, out var expected))
            {
                firstShapes[builder.Name] = elementShape;
                return;
            }

            var expectedCount = TensorShape.ElementCount(expected);
            var actualCount = TensorShape.ElementCount(elementShape);
            if (expectedCount != actualCount)
            {
                throw ServingException.InvalidArgument($"Expecting tensor size: {expectedCount} but got: {actualCount}");
            }

            if (!expected.AsSpan().SequenceEqual(elementShape))
            {
                throw ServingException.InvalidArgument($"Expecting shape {TensorShape.Format(expected)} but got: {TensorShape.Format(elementShape)}");
            }
        }
        catch (ServingException ex) when (ex.Code == ServingErrorCode.InvalidArgument && !ex.Message.StartsWith("Failed to process element", StringComparison.Ordinal))
        {
            var keyPart = key is null ? string.Empty : $"key: {key} ";
            throw ServingException.InvalidArgument($"Failed to process element: {index} {keyPart}of 'instances' list. Error: INVALID_ARGUMENT: {ex.Message}");
        }
    }

    private static Dictionary<string, Tensor> ReadColumns(ref Utf8JsonReader reader, ModelSignature signature, ReadOnlySpan<byte> body, long maxElements, IReadOnlySet<string> imageInputs)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            if (reader.TokenType == JsonTokenType.StartObject && !JsonScalarReader.IsBase64Object(reader))
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    if (!signature.InputsByName.TryGetValue(key, out var spec))
                    {
                        // Extra keys are ignored, as TF Serving does.
                        reader.Skip();
                        continue;
                    }

                    if (tensors.Remove(key, out var duplicate))
                    {
                        duplicate.Dispose();
                    }

                    tensors[key] = ReadColumn(ref reader, spec, body, maxElements, imageInputs);
                }

                foreach (var spec in signature.Inputs)
                {
                    if (!tensors.ContainsKey(spec.Name))
                    {
                        throw ServingException.InvalidArgument($"Missing named input: {spec.Name} in 'inputs' object.");
                    }
                }
            }
            else
            {
                if (signature.Inputs.Count != 1)
                {
                    throw ServingException.InvalidArgument(
                        "inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map");
                }

                tensors[signature.Inputs[0].Name] = ReadColumn(ref reader, signature.Inputs[0], body, maxElements, imageInputs);
            }

            var result = tensors;
            tensors = null;
            return result;
        }
        finally
        {
            Dispose(tensors);
        }
    }

    private static Tensor ReadColumn(ref Utf8JsonReader reader, TensorSpec spec, ReadOnlySpan<byte> body, long maxElements, IReadOnlySet<string> imageInputs)
    {
        using var builder = new JsonTensorBuilder(spec.Name, spec.DataType, maxElements, imageInputs.Contains(spec.Name));
        var shape = new JsonShape();
        shape.ReadValue(ref reader, builder, body);
        return builder.Build(shape.ToArray());
    }

    private static string Document(ReadOnlySpan<byte> body) => Truncate(body);

    private static string Truncate(ReadOnlySpan<byte> text)
        => Encoding.UTF8.GetString(text[..Math.Min(text.Length, MaxDocumentText)]).Replace('\n', ' ').Replace('\r', ' ');

    private static void Dispose(Dictionary<string, Tensor>? tensors)
    {
        if (tensors is null)
        {
            return;
        }

        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }
    }
}
