namespace ModelServer.Runtime.Repository;

/// <summary>
/// A version folder as seen on disk by one scan. <see cref="Fingerprint"/> changes whenever a file inside is
/// added, removed, resized or rewritten; <see cref="Problem"/> says why the folder cannot be loaded at all
/// (permission denied, a symlink leaving the repository); <see cref="Settled"/> is false while its files are
/// still changing, and such a version is not loaded yet.
/// </summary>
public sealed record VersionCandidate(long Version, string Path, string Fingerprint, DateTimeOffset LastWriteUtc, string? Problem)
{
    public bool Settled { get; init; } = true;
}
