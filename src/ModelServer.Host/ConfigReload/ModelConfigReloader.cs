using Microsoft.Extensions.Options;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using Tensorflow.Serving;

namespace ModelServer.Host.ConfigReload;

/// <summary>
/// Applies a new <c>model_config_list</c> (from the reload RPC or an edited config file) with TF Serving's
/// semantics: validated as a whole, it replaces the old list (models left out are unloaded), and the call returns
/// once the models are loaded — bounded by a timeout, so it never hangs (TF Serving pitfall 11).
/// </summary>
internal sealed class ModelConfigReloader
{
    private readonly RepositoryWatcher _watcher;
    private readonly ModelConfigFileOptions _options;

    public ModelConfigReloader(RepositoryWatcher watcher, IOptions<ModelConfigFileOptions> options)
    {
        _watcher = watcher;
        _options = options.Value;
    }

    /// <summary>Throws <see cref="ServingException"/> naming what was rejected, failed to load, or is still loading.</summary>
    public async Task ReloadAsync(ModelServerConfig config, CancellationToken cancellationToken)
    {
        var sources = ModelConfigListConverter.Convert(config);

        // Loads are not cancelled when the caller gives up: the server still converges on the new config.
        var apply = _watcher.ApplyConfiguredModelsAsync(sources, CancellationToken.None);
        IReadOnlyList<ModelReconcileResult> results;
        try
        {
            results = await apply.WaitAsync(TimeSpan.FromSeconds(_options.ReloadConfigTimeoutSeconds), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ServingException(ServingErrorCode.DeadlineExceeded,
                $"The new config is applied, but its models did not finish loading within {_options.ReloadConfigTimeoutSeconds} s; see GetModelStatus");
        }

        var loadErrors = results.SelectMany(r => r.LoadErrors).ToArray();
        if (loadErrors.Length > 0)
        {
            throw new ServingException(ServingErrorCode.Unknown,
                $"{loadErrors.Length} model version(s) did not become available: {{{string.Join("; ", loadErrors)}}}");
        }

        var labelErrors = results.SelectMany(r => r.LabelErrors).ToArray();
        if (labelErrors.Length > 0)
        {
            throw ServingException.FailedPrecondition(string.Join("; ", labelErrors));
        }
    }
}
