using Google.Protobuf;
using Microsoft.Extensions.Options;
using ModelServer.Host.TensorFlow.TextFormat;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using Tensorflow.Serving;

namespace ModelServer.Host.ConfigReload;

/// <summary>
/// TF Serving's <c>--model_config_file</c>: read before the repository watcher's first poll (registered ahead of
/// it), then re-read every <c>--model_config_file_poll_wait_seconds</c>. A file that does not parse or validate is
/// refused at start (the server does not start on a bad config), and while running is rejected as a whole with a
/// log line while the previous config keeps serving. Only a changed file is applied, so a config set through the
/// reload RPC is not overwritten by an unchanged file (the newest config wins).
/// </summary>
internal sealed partial class ModelConfigFileService : BackgroundService
{
    private readonly RepositoryWatcher _watcher;
    private readonly ModelConfigReloader _reloader;
    private readonly ModelConfigFileOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelConfigFileService> _logger;
    private string? _lastText;

    public ModelConfigFileService(
        RepositoryWatcher watcher,
        ModelConfigReloader reloader,
        IOptions<ModelConfigFileOptions> options,
        TimeProvider time,
        ILogger<ModelConfigFileService> logger)
    {
        _watcher = watcher;
        _reloader = reloader;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.ModelConfigFile is { Length: > 0 } file)
        {
            try
            {
                var text = ReadText(file);
                var sources = ModelConfigListConverter.Convert(Parse(text));
                _lastText = text;
                _watcher.SetConfiguredModels(sources);
            }
            catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException or ServingException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"--model_config_file {file} is not usable: {ex.Message}", ex);
            }
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.ModelConfigFile is not { Length: > 0 } file || _options.ModelConfigFilePollWaitSeconds <= 0)
        {
            return;
        }

        var period = TimeSpan.FromSeconds(_options.ModelConfigFilePollWaitSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _time, stoppingToken).ConfigureAwait(false);
                await ReloadIfChangedAsync(file, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    /// <summary>Re-reads the file and applies it when its text changed; never throws for a bad file.</summary>
    public async Task ReloadIfChangedAsync(string file, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = ReadText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            LogRejected(_logger, file, ex.Message);
            return;
        }

        if (text == _lastText)
        {
            return;
        }

        _lastText = text;
        try
        {
            await _reloader.ReloadAsync(Parse(text), cancellationToken).ConfigureAwait(false);
            LogApplied(_logger, file);
        }
        catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
        {
            LogRejected(_logger, file, ex.Message);
        }
        catch (ServingException ex) when (ex.Code == ServingErrorCode.InvalidArgument)
        {
            LogRejected(_logger, file, ex.Message);
        }
        catch (ServingException ex)
        {
            LogAppliedWithErrors(_logger, file, ex.Code.ToTfName(), ex.Message);
        }
    }

    private string ReadText(string file)
    {
        var length = new FileInfo(file).Length;
        if (length > _options.MaxModelConfigFileBytes)
        {
            throw new FormatException($"{file} is {length} bytes; the limit is {_options.MaxModelConfigFileBytes} (MaxModelConfigFileBytes)");
        }

        return File.ReadAllText(file);
    }

    /// <summary>TF Serving's text format, or the JSON mapping of the same message when the text starts with '{'.</summary>
    private static ModelServerConfig Parse(string text)
        => text.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal)
            ? JsonParser.Default.Parse<ModelServerConfig>(text)
            : ProtoTextParser.Parse<ModelServerConfig>(text);

    [LoggerMessage(EventId = 4050, Level = LogLevel.Error, Message = "Model config file {File} is rejected as a whole; the previous config keeps serving: {Error}")]
    private static partial void LogRejected(ILogger logger, string file, string error);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Information, Message = "Model config file {File} changed and is applied")]
    private static partial void LogApplied(ILogger logger, string file);

    [LoggerMessage(EventId = 4052, Level = LogLevel.Warning, Message = "Model config file {File} is applied, with errors ({Code}): {Error}")]
    private static partial void LogAppliedWithErrors(ILogger logger, string file, string code, string error);
}
