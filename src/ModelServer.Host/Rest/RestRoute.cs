using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelServer.Host.Rest;

/// <summary>TF Serving's REST paths, matched with its own patterns (case-insensitive, whole path).</summary>
internal sealed partial record RestRoute(string? Model, long? Version, string? Label, string? Verb)
{
    [GeneratedRegex(@"^/v1/models/([^/:]+)(?:(?:/versions/(\d+))|(?:/labels/([^/:]+)))?:(classify|regress|predict)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PostPattern();

    [GeneratedRegex(@"^/v1/models(?:/([^/:]+))?(?:(?:/versions/(\d+))|(?:/labels/([^/:]+)))?(?:/(metadata))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GetPattern();

    public static RestRoute? MatchPost(string path) => Match(PostPattern().Match(path), 4);

    public static RestRoute? MatchGet(string path) => Match(GetPattern().Match(path), 4);

    private static RestRoute? Match(Match match, int verbGroup)
    {
        if (!match.Success)
        {
            return null;
        }

        long? version = null;
        if (match.Groups[2].Success)
        {
            // \d+ that overflows int64 is no version TF Serving could serve either.
            if (!long.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                return null;
            }

            version = v;
        }

        return new RestRoute(
            match.Groups[1].Success ? Uri.UnescapeDataString(match.Groups[1].Value) : null,
            version,
            match.Groups[3].Success ? Uri.UnescapeDataString(match.Groups[3].Value) : null,
            match.Groups[verbGroup].Success ? match.Groups[verbGroup].Value.ToLowerInvariant() : null);
    }
}
