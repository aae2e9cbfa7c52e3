using System.Text;

namespace ModelServer.Host.Rest.Json;

/// <summary>
/// TF Serving accepts bare <c>NaN</c>, <c>Inf</c>, <c>Infinity</c>, <c>-Inf</c>, <c>-Infinity</c> in JSON, which
/// <see cref="System.Text.Json.Utf8JsonReader"/> rejects. A body that fails to parse and holds such tokens outside
/// strings is rewritten once, each token becoming a string that starts with an escaped NUL (which no client
/// sends), and parsed again; float readers take these sentinels as the values. Bodies without them cost nothing.
/// </summary>
internal static class NonFiniteTokens
{
    public const string NaN = "\0NaN";
    public const string PositiveInfinity = "\0Inf";
    public const string NegativeInfinity = "\0-Inf";

    private static readonly (string Token, string Replacement)[] Tokens =
    [
        ("-Infinity", "\"\\u0000-Inf\""),
        ("Infinity", "\"\\u0000Inf\""),
        ("-Inf", "\"\\u0000-Inf\""),
        ("Inf", "\"\\u0000Inf\""),
        ("NaN", "\"\\u0000NaN\""),
    ];

    /// <summary>The rewritten body, or null when it holds no bare non-finite token.</summary>
    public static byte[]? Rewrite(ReadOnlySpan<byte> body)
    {
        List<(int Start, int Length, string Replacement)>? hits = null;
        var inString = false;
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            if (b == (byte)'"')
            {
                inString = true;
                continue;
            }

            if (b is (byte)'N' or (byte)'I' or (byte)'-')
            {
                foreach (var (token, replacement) in Tokens)
                {
                    if (body[i..].StartsWith(Encoding.ASCII.GetBytes(token)) && IsBoundary(body, i + token.Length))
                    {
                        (hits ??= []).Add((i, token.Length, replacement));
                        i += token.Length - 1;
                        break;
                    }
                }
            }
        }

        if (hits is null)
        {
            return null;
        }

        var output = new List<byte>(body.Length + (hits.Count * 12));
        var position = 0;
        foreach (var (start, length, replacement) in hits)
        {
            output.AddRange(body[position..start]);
            output.AddRange(Encoding.ASCII.GetBytes(replacement));
            position = start + length;
        }

        output.AddRange(body[position..]);
        return [.. output];
    }

    private static bool IsBoundary(ReadOnlySpan<byte> body, int index)
        => index >= body.Length || body[index] is (byte)',' or (byte)']' or (byte)'}' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';
}
