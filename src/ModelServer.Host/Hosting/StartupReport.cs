using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Hosting;

/// <summary>One log line once the server listens: ports, models and versions, and the execution provider in use.</summary>
internal sealed partial class StartupReport : IHostedService
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ModelManager _models;
    private readonly ServingOptions _options;
    private readonly ILogger<StartupReport> _logger;

    public StartupReport(IHostApplicationLifetime lifetime, ModelManager models, IOptions<ServingOptions> options, ILogger<StartupReport> logger)
    {
        _lifetime = lifetime;
        _models = models;
        _options = options.Value;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lifetime.ApplicationStarted.Register(Report);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Report()
    {
        var models = new List<string>();
        var providers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in _models.ModelNames)
        {
            var available = _models.Find(name)?.Available.Values ?? [];
            models.Add($"{name} [{string.Join(",", available.Select(v => v.Version))}]");
            foreach (var version in available)
            {
                if (version.TryAcquire())
                {
                    providers.Add(version.Model.ExecutionProvider);
                    version.Release();
                }
            }
        }

        var rest = _options.RestApiPort == 0 || _options.RestApiPort == _options.Port ? "off" : _options.RestApiPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        LogStarted(
            _logger,
            _options.Port,
            rest,
            models.Count == 0 ? "none" : string.Join("; ", models),
            providers.Count == 0 ? "none" : string.Join(",", providers));
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "ModelServer listening: gRPC port {GrpcPort}, REST port {RestPort}; models: {Models}; execution provider: {Providers}")]
    private static partial void LogStarted(ILogger logger, int grpcPort, string restPort, string models, string providers);
}
