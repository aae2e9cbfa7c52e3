using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Serving;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// Owns every served model: resolves requests to ref-counted versions and moves versions through their
/// lifecycle. Reconciling a model loads the versions its policy wants first and only then withdraws the
/// others (TF Serving's availability-preserving order), so a model never goes dark during a swap.
/// </summary>
public sealed class ModelManager : IDisposable
{
    private readonly ConcurrentDictionary<string, ServedModel> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _reconcileLocks = new(StringComparer.Ordinal);
    private readonly OnnxRuntimeOptions _onnxOptions;
    private readonly ILogger<ModelManager> _logger;

    public ModelManager(IOptions<OnnxRuntimeOptions> onnxOptions, ILogger<ModelManager> logger)
    {
        _onnxOptions = onnxOptions.Value;
        _logger = logger;
    }

    public IReadOnlyCollection<string> ModelNames => _models.Keys.Order(StringComparer.Ordinal).ToArray();

    public ServedModel? Find(string name) => _models.GetValueOrDefault(name);

    /// <summary>
    /// Resolves a request to a version and takes a reference on it. No version and no label means the latest
    /// available. Errors carry TF Serving's codes and texts.
    /// </summary>
    public ServableHandle Acquire(string name, long? version, string? label)
    {
        var model = _models.GetValueOrDefault(name);
        if (label is not null)
        {
            if (model is null || !model.Labels.TryGetValue(label, out var labelled))
            {
                throw ServingException.InvalidArgument($"Unrecognized servable version label: {label}");
            }

            version = labelled;
        }

        // A version can be withdrawn between the lookup and the reference; then look again.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var available = model?.Available;
            ServableVersion? candidate = null;
            if (available is { Count: > 0 })
            {
                candidate = version is { } v ? available.GetValueOrDefault(v) : available.Values.Last();
            }

            if (candidate is null)
            {
                break;
            }

            if (candidate.TryAcquire())
            {
                return new ServableHandle(candidate);
            }
        }

        throw ServingException.NotFound(version is { } specific
            ? $"Servable not found for request: Specific({name}, {specific})"
            : $"Servable not found for request: Latest({name})");
    }

    /// <summary>Status of one version or of every version ever seen (END ones included), as TF Serving reports it.</summary>
    public IReadOnlyList<ModelVersionStatus> GetStatus(string name, long? version)
    {
        var model = _models.GetValueOrDefault(name);
        var history = model?.History ?? ImmutableSortedDictionary<long, ServableVersion>.Empty;
        if (version is { } v)
        {
            return history.TryGetValue(v, out var one)
                ? [one.Status]
                : throw ServingException.NotFound($"Could not find version {v} of model {name}");
        }

        if (history.IsEmpty)
        {
            throw ServingException.NotFound($"Could not find any versions of model {name}");
        }

        return history.Values.Reverse().Select(s => s.Status).ToArray();
    }

    /// <summary>
    /// Brings a model in line with its source, taking every version folder on disk as settled (startup, tests).
    /// </summary>
    public Task<ModelReconcileResult> ReconcileAsync(ModelSource source, CancellationToken cancellationToken)
        => ReconcileAsync(source, VersionScanner.Scan(source.BasePath, source.ContainmentRoot), cancellationToken);

    /// <summary>
    /// Brings a model in line with its source: loads (and warms up) the settled versions the policy selects that
    /// are not yet loaded, applies the labels, and only then withdraws the versions no longer selected — never the
    /// last available one while its folder exists and nothing newer loaded (TF Serving's availability-preserving
    /// order). A version that failed is left out of the policy and retried only when its fingerprint changes.
    /// Calls for one model are serialized.
    /// </summary>
    public async Task<ModelReconcileResult> ReconcileAsync(ModelSource source, IReadOnlyList<VersionCandidate> onDisk, CancellationToken cancellationToken)
    {
        var gate = _reconcileLocks.GetOrAdd(source.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var errors = new List<string>();
            var model = _models.GetOrAdd(source.Name, name => new ServedModel(name));
            model.Source = source;
            ReportNoVersions(model, source, onDisk.Count == 0);

            var present = onDisk.ToDictionary(c => c.Version);
            // Unsettled versions are invisible to the policy unless they already serve (a loaded version is not
            // reloaded when its files change; it keeps serving until the policy drops it).
            var eligible = onDisk.Where(c => c.Settled || model.Available.ContainsKey(c.Version)).Select(c => c.Version).ToArray();

            // A version that failed with the files it still has does not count for the policy, so latest{1} with a
            // broken newest version serves the newest good one (TF Serving would keep the old one and ignore the rest).
            // It is still reported, and retried once its files change.
            foreach (var version in source.Policy.Select(eligible).Where(v => HasFailed(model, present[v])))
            {
                errors.Add(Describe(model.Name, version, model.History[version].ErrorMessage));
            }

            IReadOnlyList<long> wanted;
            for (var round = 1; ; round++)
            {
                wanted = source.Policy.Select(eligible.Where(v => !HasFailed(model, present[v])));
                var toLoad = wanted.Where(v => !model.Available.ContainsKey(v)).Order().ToArray();
                if (source.Transition == VersionTransition.ResourcePreserving && toLoad.Length > 0)
                {
                    await UnloadFirstAsync(model, wanted, cancellationToken).ConfigureAwait(false);
                }

                var failedBefore = errors.Count;
                foreach (var version in toLoad)
                {
                    await LoadIfChangedAsync(model, present[version], source, errors, cancellationToken).ConfigureAwait(false);
                }

                // Versions that just failed drop out of the policy: select again, a bounded number of times.
                if (errors.Count == failedBefore || round == 3)
                {
                    break;
                }
            }

            var keep = wanted.ToHashSet();
            var withdraw = new List<ServableVersion>();
            foreach (var (version, servable) in model.Available)
            {
                var othersAvailable = model.Available.Keys.Any(v => v != version && keep.Contains(v));
                if (!keep.Contains(version) && (othersAvailable || !present.ContainsKey(version)))
                {
                    withdraw.Add(servable);
                }
            }

            // Labels move before old versions stop, so a label never points at a gap.
            var remaining = model.Available.Keys.Except(withdraw.Select(w => w.Version)).ToHashSet();
            var labelErrors = new List<string>();
            LabelAssignment.Apply(model, source.Labels, remaining, labelErrors, _logger);
            foreach (var servable in withdraw)
            {
                Unload(model, servable);
            }

            return new ModelReconcileResult(source.Name, errors, labelErrors);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Withdraws every version of a model; in-flight requests finish first.</summary>
    public void Remove(string name)
    {
        if (_models.TryGetValue(name, out var model))
        {
            foreach (var servable in model.Available.Values)
            {
                Unload(model, servable);
            }

            model.SetLabels(ImmutableDictionary<string, long>.Empty);
        }
    }

    /// <summary>
    /// Resource-preserving transition (TF Serving pitfall 6: a swap needs twice the memory): withdraw the versions the
    /// policy drops and wait, bounded, for their sessions to be disposed before the new ones load. The model serves
    /// nothing in between, which is the price the owner chose in config.json.
    /// </summary>
    private async Task UnloadFirstAsync(ServedModel model, IReadOnlyList<long> wanted, CancellationToken cancellationToken)
    {
        var dropped = model.Available.Values.Where(s => !wanted.Contains(s.Version)).ToArray();
        foreach (var servable in dropped)
        {
            Unload(model, servable);
        }

        try
        {
            await Task.WhenAll(dropped.Select(s => s.Ended)).WaitAsync(DrainTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            RepositoryLog.DrainTimedOut(_logger, model.Name, DrainTimeout.TotalSeconds);
        }
    }

    /// <summary>How long an unload-first transition waits for requests in flight on the old version before loading anyway.</summary>
    public static TimeSpan DrainTimeout { get; } = TimeSpan.FromSeconds(30);

    private async Task LoadIfChangedAsync(ServedModel model, VersionCandidate candidate, ModelSource source, List<string> errors, CancellationToken cancellationToken)
    {
        if (model.History.TryGetValue(candidate.Version, out var seen) && IsFailure(seen))
        {
            RepositoryLog.RetryingChanged(_logger, model.Name, candidate.Version);
        }

        if (candidate.Problem is { } problem)
        {
            var refused = new ServableVersion(model.Name, candidate.Version, candidate.Path, candidate.Fingerprint);
            model.Track(refused);
            refused.MarkFailed(ServingErrorCode.PermissionDenied, problem);
            RepositoryLog.VersionRefused(_logger, model.Name, candidate.Version, problem);
            errors.Add(Describe(model.Name, candidate.Version, problem));
            return;
        }

        var error = await VersionLoader.LoadAsync(model, candidate, source, _onnxOptions, _logger, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            errors.Add(Describe(model.Name, candidate.Version, error));
        }
    }

    /// <summary>Whether this version failed with exactly the files it has now (then it is not retried).</summary>
    private static bool HasFailed(ServedModel model, VersionCandidate candidate)
        => model.History.TryGetValue(candidate.Version, out var seen) && IsFailure(seen) && seen.Fingerprint == candidate.Fingerprint;

    private static bool IsFailure(ServableVersion version)
        => version.State == ModelVersionState.End && version.ErrorCode is not (ServingErrorCode.Ok or ServingErrorCode.Cancelled);

    private static string Describe(string model, long version, string error) => $"Version {version} of model {model} failed to load: {error}";

    private void Unload(ServedModel model, ServableVersion servable)
    {
        if (model.Withdraw(servable.Version))
        {
            ModelManagerLog.Unloading(_logger, model.Name, servable.Version);
            servable.BeginUnload();
        }
    }

    private void ReportNoVersions(ServedModel model, ModelSource source, bool none)
    {
        if (none && !model.NoVersionsReported)
        {
            RepositoryLog.NoVersions(_logger, model.Name, source.BasePath);
        }

        model.NoVersionsReported = none;
    }

    public void Dispose()
    {
        foreach (var name in _models.Keys)
        {
            Remove(name);
        }

        foreach (var gate in _reconcileLocks.Values)
        {
            gate.Dispose();
        }
    }
}
