using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Serving;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// Loads the repository before the server starts listening (hosted services start before Kestrel), so the
/// first request finds its model, as TF Serving blocks startup until every model's versions are available.
/// </summary>
public sealed partial class ModelRepositoryService : IHostedService
{
    private readonly ModelManager _manager;
    private readonly ServingOptions _options;
    private readonly ILogger<ModelRepositoryService> _logger;

    public ModelRepositoryService(ModelManager manager, IOptions<ServingOptions> options, ILogger<ModelRepositoryService> logger)
    {
        _manager = manager;
        _options = options.Value;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ModelSource> sources;
        try
        {
            sources = RepositoryScanner.Discover(_options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            LogRepositoryError(_logger, ex.Message);
            return;
        }

        foreach (var source in sources)
        {
            await _manager.ReconcileAsync(source, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Model repository cannot be read: {Error}")]
    private static partial void LogRepositoryError(ILogger logger, string error);
}
