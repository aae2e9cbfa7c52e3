using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Warmup;

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
    /// order). A version that failed is retried only when its fingerprint changes. Calls for one model are serialized.
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
            var eligible = onDisk.Where(c => c.Settled || model.Available.ContainsKey(c.Version)).Select(c => c.Version);
            var wanted = source.Policy.Select(eligible);
            if (source.Transition == VersionTransition.ResourcePreserving && wanted.Any(v => !model.Available.ContainsKey(v)))
            {
                await UnloadFirstAsync(model, wanted, cancellationToken).ConfigureAwait(false);
            }

            foreach (var version in wanted.Order())
            {
                if (!model.Available.ContainsKey(version))
                {
                    await LoadIfChangedAsync(model, present[version], source, errors, cancellationToken).ConfigureAwait(false);
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
            ApplyLabels(model, source.Labels, remaining, labelErrors);
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
        if (model.History.TryGetValue(candidate.Version, out var seen) && seen.State == ModelVersionState.End
            && seen.ErrorCode is not (ServingErrorCode.Ok or ServingErrorCode.Cancelled))
        {
            if (seen.Fingerprint == candidate.Fingerprint)
            {
                // Failed with these very files: report, but do not retry until they change.
                errors.Add(Describe(model.Name, candidate.Version, seen.ErrorMessage));
                return;
            }

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

        var error = await LoadAsync(model, candidate, source, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            errors.Add(Describe(model.Name, candidate.Version, error));
        }
    }

    private static string Describe(string model, long version, string error) => $"Version {version} of model {model} failed to load: {error}";

    /// <summary>Loads, warms up and publishes one version; returns the error that ended it, or null once AVAILABLE.</summary>
    private async Task<string?> LoadAsync(ServedModel model, VersionCandidate candidate, ModelSource source, CancellationToken cancellationToken)
    {
        var version = candidate.Version;
        var path = candidate.Path;
        var servable = new ServableVersion(model.Name, version, path, candidate.Fingerprint);
        model.Track(servable);
        servable.MarkLoading();
        ModelManagerLog.Loading(_logger, model.Name, version, path);
        var started = Stopwatch.GetTimestamp();
        OnnxModel? loaded = null;
        try
        {
            var file = System.IO.Path.Combine(path, VersionFolders.ModelFileName);
            if (!File.Exists(file))
            {
                throw new OnnxModelException($"{file} does not exist");
            }

            loaded = await Task.Run(() => OnnxModel.Load(file, _onnxOptions, _logger), cancellationToken).ConfigureAwait(false);
            var warmup = await Task.Run(() => ModelWarmup.Run(loaded, source.Warmup, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (source.Warmup.Enabled)
            {
                RepositoryLog.WarmedUp(_logger, model.Name, version, warmup.TotalMilliseconds, string.Join(',', source.Warmup.BatchSizes));
            }

            // The files may have been replaced while ONNX Runtime read them: then what loaded is not what is on
            // disk. Fail this attempt with the old fingerprint, so the settled new files are retried.
            var now = VersionScanner.ScanOne(version, path, source.ContainmentRoot ?? source.BasePath);
            if (now.Fingerprint != candidate.Fingerprint)
            {
                RepositoryLog.ChangedWhileLoading(_logger, model.Name, version);
                throw new OnnxModelException("its files changed while it was loading; it is retried once they settle");
            }

            servable.MarkAvailable(loaded);
            loaded = null;
            model.Publish(servable);

            // Loading parsed the whole file and freed it again: hand that back too, or it stays resident.
            NativeHeap.Trim();
            ModelManagerLog.Available(_logger, model.Name, version, servable.Model.ExecutionProvider, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return null;
        }
        catch (Exception ex) when (ex is OnnxModelException or IOException or UnauthorizedAccessException or InvalidOperationException
                                       or ServingException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            var message = ex is ServingException ? $"warmup failed: {ex.Message}" : ex.Message;
            servable.MarkFailed(ServingErrorCode.Unknown, message);
            ModelManagerLog.LoadFailed(_logger, model.Name, version, message);
            return message;
        }
        catch (OperationCanceledException)
        {
            // Shutdown or a reload that gave up: not the files' fault, so the next reconcile tries again.
            servable.MarkFailed(ServingErrorCode.Cancelled, "loading was cancelled");
            throw;
        }
        finally
        {
            // Set only when the version did not become AVAILABLE: its session is not anyone's.
            if (loaded is not null)
            {
                loaded.Dispose();
                NativeHeap.Trim();
            }
        }
    }

    private void Unload(ServedModel model, ServableVersion servable)
    {
        if (model.Withdraw(servable.Version))
        {
            ModelManagerLog.Unloading(_logger, model.Name, servable.Version);
            servable.BeginUnload();
        }
    }

    /// <summary>
    /// TF Serving's rule: a label may point only at a version that is available (and stays so). A label whose new
    /// target is not is reported with TF Serving's FAILED_PRECONDITION text and keeps its previous target while that
    /// still serves (so a canary moved ahead of its version's load keeps answering); the other labels apply.
    /// </summary>
    private void ApplyLabels(ServedModel model, IReadOnlyDictionary<string, long> labels, IReadOnlySet<long> available, List<string> errors)
    {
        var current = model.Labels;
        var applied = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (label, version) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (available.Contains(version))
            {
                applied[label] = version;
                continue;
            }

            problems.Add($"Request to assign label to version {version} of model {model.Name}, which is not currently available for inference");
            if (current.TryGetValue(label, out var previous) && available.Contains(previous))
            {
                applied[label] = previous;
            }
        }

        errors.AddRange(problems);
        var problem = problems.Count == 0 ? null : string.Join("; ", problems);
        if (problem is not null && problem != model.LastLabelProblem)
        {
            RepositoryLog.LabelsRejected(_logger, model.Name, problem);
        }

        model.LastLabelProblem = problem;
        if (current.Count != applied.Count || applied.Any(l => !current.TryGetValue(l.Key, out var v) || v != l.Value))
        {
            model.SetLabels(applied.ToImmutable());
            RepositoryLog.LabelsApplied(_logger, model.Name, applied.Count == 0 ? "(none)" : string.Join(", ", applied.Select(l => $"{l.Key}={l.Value}")));
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
