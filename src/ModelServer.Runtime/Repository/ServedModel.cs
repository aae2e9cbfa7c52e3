using System.Collections.Immutable;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// The versions of one model. <see cref="Available"/> is an immutable snapshot swapped under a lock, so request
/// threads read it without locking; <see cref="History"/> keeps every version seen (END ones too), as TF Serving reports them.
/// </summary>
public sealed class ServedModel
{
    private readonly object _gate = new();
    private ImmutableSortedDictionary<long, ServableVersion> _available = ImmutableSortedDictionary<long, ServableVersion>.Empty;
    private ImmutableSortedDictionary<long, ServableVersion> _history = ImmutableSortedDictionary<long, ServableVersion>.Empty;
    private ImmutableDictionary<string, long> _labels = ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);

    public ServedModel(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public ModelSource? Source { get; internal set; }

    /// <summary>Serving versions, ascending.</summary>
    public ImmutableSortedDictionary<long, ServableVersion> Available => Volatile.Read(ref _available);

    public ImmutableSortedDictionary<long, ServableVersion> History => Volatile.Read(ref _history);

    public ImmutableDictionary<string, long> Labels => Volatile.Read(ref _labels);

    /// <summary>The last label problem logged, so a poll repeats it in the log only when it changes.</summary>
    internal string? LastLabelProblem { get; set; }

    /// <summary>Whether "no version folders" was logged since the model last had some.</summary>
    internal bool NoVersionsReported { get; set; }

    /// <summary>
    /// END versions kept in <see cref="History"/> when a new version is tracked (TF Serving keeps them all, so a model
    /// swapped every hour lists thousands); the version that load replaces ends afterwards, so status shows one more.
    /// </summary>
    public const int MaxEndedVersions = 16;

    internal void Track(ServableVersion version)
    {
        lock (_gate)
        {
            var history = _history.SetItem(version.Version, version);
            var ended = history.Values.Where(v => v.State == ModelVersionState.End).ToArray();
            foreach (var old in ended.Take(Math.Max(0, ended.Length - MaxEndedVersions)))
            {
                // Oldest first; a forgotten failed version is merely retried once more if it comes back into policy.
                history = history.Remove(old.Version);
            }

            _history = history;
        }
    }

    internal void Publish(ServableVersion version)
    {
        lock (_gate)
        {
            _available = _available.SetItem(version.Version, version);
        }
    }

    internal bool Withdraw(long version)
    {
        lock (_gate)
        {
            var before = _available;
            _available = _available.Remove(version);
            return before.Count != _available.Count;
        }
    }

    internal void SetLabels(ImmutableDictionary<string, long> labels)
    {
        lock (_gate)
        {
            _labels = labels;
        }
    }
}
