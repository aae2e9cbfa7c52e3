using System.Text;
using System.Text.Json;

namespace ModelServer.Host.Rest.Json;

/// <summary>Texts for TF Serving's JSON error messages: the offending value (one line, at most 256 bytes) and its JSON type name.</summary>
internal static class JsonText
{
    private const int MaxBytes = 256;

    /// <summary>The raw text of the value at the reader's token; the reader is not moved.</summary>
    public static string Describe(Utf8JsonReader reader, ReadOnlySpan<byte> body)
    {
        var start = (int)reader.TokenStartIndex;
        int end;
        if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
        {
            try
            {
                reader.Skip();
                end = (int)reader.BytesConsumed;
            }
            catch (JsonException)
            {
                end = body.Length;
            }
        }
        else
        {
            end = (int)reader.BytesConsumed;
        }

        var slice = body[start..Math.Min(end, start + MaxBytes)];
        return Encoding.UTF8.GetString(slice).Replace('\n', ' ').Replace('\r', ' ').Replace("\\u0000", string.Empty, StringComparison.Ordinal);
    }

    public static string TypeName(JsonTokenType token) => token switch
    {
        JsonTokenType.Null => "Null",
        JsonTokenType.False => "False",
        JsonTokenType.True => "True",
        JsonTokenType.StartObject => "Object",
        JsonTokenType.StartArray => "Array",
        JsonTokenType.String => "String",
        JsonTokenType.Number => "Number",
        _ => token.ToString(),
    };
}
