using System.Globalization;
using System.Net;

namespace ModelServer.LoadGen;

/// <summary>Parses the load generator's list, duration and target arguments, refusing what it must not do.</summary>
internal static class CliParsing
{
    public static IReadOnlyList<int> Concurrency(string text)
    {
        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture))
            .ToArray();
        return values.Length == 0 || values.Any(v => v is < 1 or > 4096)
            ? throw new ArgumentException($"--concurrency '{text}': give 1 to 4096, comma-separated.")
            : values;
    }

    public static IReadOnlyList<double> Rates(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => double.Parse(v.EndsWith("/s", StringComparison.Ordinal) ? v[..^2] : v, CultureInfo.InvariantCulture))
            .ToArray();
        return values.Any(v => v is <= 0 or > 100_000)
            ? throw new ArgumentException($"--rate '{text}': give rates above 0 and at most 100000 per second.")
            : values;
    }

    /// <summary><c>15s</c>, <c>500ms</c>, <c>2m</c>; at most 10 minutes (bounded runs only).</summary>
    public static TimeSpan Duration(string text, string flag)
    {
        var value = text.Trim();
        TimeSpan result;
        if (value.EndsWith("ms", StringComparison.Ordinal))
        {
            result = TimeSpan.FromMilliseconds(double.Parse(value[..^2], CultureInfo.InvariantCulture));
        }
        else if (value.EndsWith('s'))
        {
            result = TimeSpan.FromSeconds(double.Parse(value[..^1], CultureInfo.InvariantCulture));
        }
        else if (value.EndsWith('m'))
        {
            result = TimeSpan.FromMinutes(double.Parse(value[..^1], CultureInfo.InvariantCulture));
        }
        else
        {
            result = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture));
        }

        return result < TimeSpan.Zero || result > TimeSpan.FromMinutes(10)
            ? throw new ArgumentException($"{flag} '{text}': give 0 to 10 minutes (e.g. 15s, 500ms, 2m).")
            : result;
    }

    /// <summary>The target URL; only loopback hosts, so the tool cannot be pointed at someone else's server.</summary>
    public static Uri Target(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"--target '{text}' is not an http(s) URL.");
        }

        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
        return loopback ? uri : throw new ArgumentException($"--target '{text}': only loopback targets (localhost, 127.0.0.1, [::1]) are allowed.");
    }
}
