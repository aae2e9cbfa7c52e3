using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
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
    /// Brings a model in line with its source: loads the versions the policy selects that are not yet loaded,
    /// then withdraws the ones it no longer selects (never the last available one if nothing new loaded), then
    /// applies its labels. Calls for the same model are serialized.
    /// </summary>
    public async Task ReconcileAsync(ModelSource source, CancellationToken cancellationToken)
    {
        var gate = _reconcileLocks.GetOrAdd(source.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var model = _models.GetOrAdd(source.Name, name => new ServedModel(name));
            model.Source = source;
            var onDisk = VersionFolders.Find(source.BasePath);
            if (onDisk.Count == 0)
            {
                ModelManagerLog.NoVersions(_logger, source.Name, source.BasePath);
            }

            var wanted = source.Policy.Select(onDisk.Keys);
            foreach (var version in wanted.Order())
            {
                if (model.Available.ContainsKey(version))
                {
                    continue;
                }

                if (model.History.TryGetValue(version, out var seen) && seen.State == ModelVersionState.End && seen.ErrorCode != ServingErrorCode.Ok)
                {
                    // A failed version is retried only when its files change (the repository watcher re-sources it).
                    continue;
                }

                await LoadAsync(model, version, onDisk[version], cancellationToken).ConfigureAwait(false);
            }

            var keep = wanted.ToHashSet();
            foreach (var (version, servable) in model.Available)
            {
                var othersAvailable = model.Available.Keys.Any(v => v != version && keep.Contains(v));
                if (!keep.Contains(version) && (othersAvailable || !onDisk.ContainsKey(version)))
                {
                    Unload(model, servable);
                }
            }

            ApplyLabels(model, source.Labels);
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

    private async Task LoadAsync(ServedModel model, long version, string path, CancellationToken cancellationToken)
    {
        var servable = new ServableVersion(model.Name, version, path);
        model.Track(servable);
        servable.MarkLoading();
        ModelManagerLog.Loading(_logger, model.Name, version, path);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var file = System.IO.Path.Combine(path, VersionFolders.ModelFileName);
            if (!File.Exists(file))
            {
                throw new OnnxModelException($"{file} does not exist");
            }

            var loaded = await Task.Run(() => OnnxModel.Load(file, _onnxOptions, _logger), cancellationToken).ConfigureAwait(false);
            servable.MarkAvailable(loaded);
            model.Publish(servable);
            ModelManagerLog.Available(_logger, model.Name, version, loaded.ExecutionProvider, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is OnnxModelException or IOException or UnauthorizedAccessException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            servable.MarkFailed(ServingErrorCode.Unknown, ex.Message);
            ModelManagerLog.LoadFailed(_logger, model.Name, version, ex.Message);
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

    private void ApplyLabels(ServedModel model, IReadOnlyDictionary<string, long> labels)
    {
        var applied = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var (label, version) in labels)
        {
            if (model.Available.ContainsKey(version))
            {
                applied[label] = version;
            }
            else
            {
                ModelManagerLog.LabelRejected(_logger, model.Name, label, $"Request to assign label to version {version} of model {model.Name}, which is not currently available for inference");
            }
        }

        model.SetLabels(applied.ToImmutable());
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
