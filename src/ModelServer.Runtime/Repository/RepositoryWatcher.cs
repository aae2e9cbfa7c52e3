using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Serving;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// Follows the repository while the server runs. Each poll finds the declared models, lists their version folders
/// with a fingerprint, and reconciles every model with the versions whose files have settled; models no longer
/// declared are unloaded. The first poll runs in <see cref="StartAsync"/>, before Kestrel listens (hosted services
/// start first), so the first request finds its model. Polls are serialized; tests drive <see cref="PollOnceAsync"/>
/// with a fake <see cref="TimeProvider"/>.
/// </summary>
public sealed class RepositoryWatcher : BackgroundService
{
    private readonly ModelManager _manager;
    private readonly ServingOptions _serving;
    private readonly RepositoryWatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RepositoryWatcher> _logger;
    private readonly SemaphoreSlim _pollGate = new(1, 1);
    private readonly FileSystemEvents _events = new();
    private readonly StabilityTracker _stability = new();
    private readonly Dictionary<string, string> _modelProblems = new(StringComparer.Ordinal);
    private IReadOnlyList<ModelSource>? _configured;
    private string? _repositoryProblem;
    private bool _firstPollDone;

    public RepositoryWatcher(
        ModelManager manager,
        IOptions<ServingOptions> serving,
        IOptions<RepositoryWatcherOptions> options,
        TimeProvider time,
        ILogger<RepositoryWatcher> logger)
    {
        _manager = manager;
        _serving = serving.Value;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Serves exactly <paramref name="models"/> from now on (a <c>model_config_list</c>), instead of the repository
    /// folder; takes effect at the next poll. Validation is the caller's job.
    /// </summary>
    public void SetConfiguredModels(IReadOnlyList<ModelSource> models)
    {
        Volatile.Write(ref _configured, models);
        RepositoryLog.ConfiguredModels(_logger, models.Count, string.Join(", ", models.Select(m => m.Name)));
    }

    /// <summary>
    /// Replaces the configured list and reconciles at once, every version taken as settled (TF Serving's reload
    /// loads what is there). Returns when the loads are done; the caller bounds the wait.
    /// </summary>
    public async Task<IReadOnlyList<ModelReconcileResult>> ApplyConfiguredModelsAsync(IReadOnlyList<ModelSource> models, CancellationToken cancellationToken)
    {
        await _pollGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SetConfiguredModels(models);
            return await PollCoreAsync(settleAll: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pollGate.Release();
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var root = _configured is null && string.IsNullOrEmpty(_serving.ModelBasePath) ? Path.GetFullPath(_serving.ModelRepository) : "(configured base paths)";
        RepositoryLog.Watching(_logger, root, _options.FileSystemPollWaitSeconds, _options.SettlePeriod.TotalSeconds);
        await PollOnceAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One poll: discover, fingerprint, reconcile, unload what is gone. Safe to call at any time.</summary>
    public async Task<IReadOnlyList<ModelReconcileResult>> PollOnceAsync(CancellationToken cancellationToken)
    {
        await _pollGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // What is on disk when the server starts is loaded at once, as TF Serving does; later arrivals settle first.
            return await PollCoreAsync(settleAll: !_firstPollDone, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _firstPollDone = true;
            _pollGate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.FileSystemPollWaitSeconds <= 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WaitForNextPollAsync(stoppingToken).ConfigureAwait(false);
                await PollOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A poll must never stop the loop: the next one may succeed (a volume comes back).
                RepositoryLog.PollFailed(_logger, ex, ex.Message);
            }
        }
    }

    private async Task WaitForNextPollAsync(CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var tick = Task.Delay(_options.PollPeriod, _time, wait.Token);
        var wake = _options.EnableFileSystemEvents ? _events.Wake.WaitToReadAsync(wait.Token).AsTask() : Task.Delay(Timeout.Infinite, wait.Token);
        await Task.WhenAny(tick, wake).ConfigureAwait(false);
        await wait.CancelAsync().ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
        _events.Wake.TryRead(out _);
    }

    private async Task<IReadOnlyList<ModelReconcileResult>> PollCoreAsync(bool settleAll, CancellationToken cancellationToken)
    {
        var configured = Volatile.Read(ref _configured);
        IReadOnlyList<DeclaredModel> declared;
        try
        {
            declared = ModelDiscovery.Discover(_serving, configured, _options.EnableModelWarmup);
            if (_repositoryProblem is not null)
            {
                _repositoryProblem = null;
                RepositoryLog.RepositoryRecovered(_logger, _serving.ModelRepository);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Keep serving what is loaded; say so once, not on every poll.
            if (_repositoryProblem != ex.Message)
            {
                _repositoryProblem = ex.Message;
                RepositoryLog.RepositoryUnreadable(_logger, ex.Message, _options.FileSystemPollWaitSeconds);
            }

            return [new ModelReconcileResult("", [ex.Message])];
        }

        var names = declared.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _manager.ModelNames.Where(n => !names.Contains(n)))
        {
            if (_manager.Find(gone) is { Available.Count: > 0 })
            {
                RepositoryLog.ModelRemoved(_logger, gone);
            }

            _manager.Remove(gone);
            _stability.Forget(gone);
        }

        var results = new List<ModelReconcileResult>(declared.Count);
        foreach (var model in declared)
        {
            var source = model.Source ?? _manager.Find(model.Name)?.Source;
            if (source is null)
            {
                ReportProblem(model.Name, model.Problem);
                results.Add(new ModelReconcileResult(model.Name, [model.Problem ?? "no settings"]));
                continue;
            }

            if (_manager.Find(model.Name) is null)
            {
                RepositoryLog.ModelAppeared(_logger, model.Name, source.BasePath);
            }

            var (result, scanProblem) = await ReconcileAsync(source, settleAll, cancellationToken).ConfigureAwait(false);
            ReportProblem(model.Name, model.Problem ?? scanProblem);
            results.Add(result);
        }

        _events.Sync(configured is null && string.IsNullOrEmpty(_serving.ModelBasePath)
            ? [Path.GetFullPath(_serving.ModelRepository)]
            : declared.Where(d => d.Source is not null).Select(d => d.Source!.BasePath));
        return results;
    }

    /// <summary>Reconciles one model with its settled versions; a base path that cannot be listed leaves it as it is (the problem comes back).</summary>
    private async Task<(ModelReconcileResult Result, string? Problem)> ReconcileAsync(ModelSource source, bool settleAll, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(source.BasePath))
        {
            // A vanished base path is more often a volume glitch than an intent: keep serving, say so once.
            // (A model folder removed from the repository is not declared any more, and unloads.)
            var missing = $"base path {source.BasePath} of model {source.Name} does not exist";
            return (new ModelReconcileResult(source.Name, [missing]), missing);
        }

        IReadOnlyList<VersionCandidate> candidates;
        try
        {
            candidates = VersionScanner.Scan(source.BasePath, source.ContainmentRoot);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (new ModelReconcileResult(source.Name, [ex.Message]), ex.Message);
        }

        var now = _time.GetUtcNow();
        var settle = _options.SettlePeriod;
        var observed = candidates.Select(c =>
        {
            var settled = _stability.Observe(source.Name, c, now, settle, settleAll);
            if (!settled)
            {
                RepositoryLog.VersionUnsettled(_logger, source.Name, c.Version);
            }

            return c with { Settled = settled };
        }).ToArray();
        _stability.Retain(source.Name, candidates.Select(c => c.Version));
        return (await _manager.ReconcileAsync(source, observed, cancellationToken).ConfigureAwait(false), null);
    }

    private void ReportProblem(string model, string? problem)
    {
        if (problem is null)
        {
            _modelProblems.Remove(model);
        }
        else if (!_modelProblems.TryGetValue(model, out var last) || last != problem)
        {
            _modelProblems[model] = problem;
            RepositoryLog.ModelUnreadable(_logger, model, problem);
        }
    }

    public override void Dispose()
    {
        _events.Dispose();
        _pollGate.Dispose();
        base.Dispose();
    }
}
