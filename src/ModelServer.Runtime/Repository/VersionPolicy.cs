namespace ModelServer.Runtime.Repository;

/// <summary>Which of the versions on disk are served: the latest N (default 1), all, or a specific list.</summary>
public sealed record VersionPolicy(VersionPolicyKind Kind, int NumVersions, IReadOnlyList<long> Versions)
{
    public static VersionPolicy Default { get; } = Latest(1);

    public static VersionPolicy Latest(int count) => new(VersionPolicyKind.Latest, Math.Max(1, count), []);

    public static VersionPolicy All { get; } = new(VersionPolicyKind.All, 0, []);

    public static VersionPolicy Specific(IEnumerable<long> versions) => new(VersionPolicyKind.Specific, 0, versions.Distinct().Order().ToArray());

    /// <summary>The versions to serve out of those present on disk.</summary>
    public IReadOnlyList<long> Select(IEnumerable<long> present)
    {
        var sorted = present.Distinct().OrderDescending().ToArray();
        return Kind switch
        {
            VersionPolicyKind.Latest => sorted.Take(NumVersions).ToArray(),
            VersionPolicyKind.All => sorted,
            _ => sorted.Where(v => Versions.Contains(v)).ToArray(),
        };
    }
}
