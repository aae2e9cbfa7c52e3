using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ModelServer.Runtime.Classification;

namespace ModelServer.Host.Rest.Classify;

/// <summary>Writes classification replies: TF Serving's <c>results</c> format and the upload endpoint's friendlier one.</summary>
internal static class ClassifyJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary><c>{"results": [[["label", score], …], …]}</c>, classes in the model's order, as TF Serving answers.</summary>
    public static void WriteResults(IBufferWriter<byte> output, ClassifyResult result)
    {
        using var writer = new Utf8JsonWriter(output, Options);
        writer.WriteStartObject();
        writer.WriteStartArray("results"u8);
        for (int i = 0; i < result.Count; i++)
        {
            writer.WriteStartArray();
            var row = result.Row(i);
            for (int c = 0; c < result.Classes; c++)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(result.ClassNames[c]);
                WriteScore(writer, row[c]);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>{"model", "version", "predictions": [{"label", "score", "scores": {class: score}}]}</c>: the best class
    /// and the <paramref name="topK"/> best scores, best first.
    /// </summary>
    public static void WriteUpload(IBufferWriter<byte> output, ClassifyResult result, int topK)
    {
        using var writer = new Utf8JsonWriter(output, Options);
        writer.WriteStartObject();
        writer.WriteString("model"u8, result.ModelName);
        writer.WriteNumber("version"u8, result.Version);
        writer.WriteStartArray("predictions"u8);
        for (int i = 0; i < result.Count; i++)
        {
            var ranked = result.Ranked(i, topK);
            var row = result.Row(i);
            writer.WriteStartObject();
            writer.WriteString("label"u8, result.ClassNames[ranked[0]]);
            writer.WritePropertyName("score"u8);
            WriteScore(writer, row[ranked[0]]);
            writer.WriteStartObject("scores"u8);
            foreach (var c in ranked)
            {
                writer.WritePropertyName(result.ClassNames[c]);
                WriteScore(writer, row[c]);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteScore(Utf8JsonWriter writer, float score)
    {
        Span<byte> text = stackalloc byte[48];
        var length = TfFloatFormatter.Format(score, singlePrecision: true, text);
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }
}
