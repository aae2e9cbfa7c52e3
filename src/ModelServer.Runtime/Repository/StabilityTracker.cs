namespace ModelServer.Runtime.Repository;

/// <summary>
/// Remembers since when each version's fingerprint has been unchanged. A version is settled once it has been
/// unchanged for the settle period, or when its newest file was written longer ago than that (a folder renamed
/// into place), or when it was taken as settled (startup, reload RPC); it stays settled until its files change.
/// Used by the poll only, so it needs no lock.
/// </summary>
internal sealed class StabilityTracker
{
    private readonly Dictionary<(string Model, long Version), Entry> _seen = [];

    public bool Observe(string model, VersionCandidate candidate, DateTimeOffset now, TimeSpan settle, bool force)
    {
        if (candidate.Problem is not null)
        {
            return true;
        }

        var key = (model, candidate.Version);
        if (!_seen.TryGetValue(key, out var entry) || entry.Fingerprint != candidate.Fingerprint)
        {
            entry = new Entry(candidate.Fingerprint, now, false);
        }

        var settled = force || entry.Settled || now - entry.Since >= settle || now - candidate.LastWriteUtc >= settle;
        _seen[key] = entry with { Settled = settled };
        return settled;
    }

    /// <summary>Drops what is known about versions that are no longer on disk.</summary>
    public void Retain(string model, IEnumerable<long> present)
    {
        var keep = present.ToHashSet();
        foreach (var key in _seen.Keys.Where(k => k.Model == model && !keep.Contains(k.Version)).ToArray())
        {
            _seen.Remove(key);
        }
    }

    public void Forget(string model) => Retain(model, []);

    private readonly record struct Entry(string Fingerprint, DateTimeOffset Since, bool Settled);
}
