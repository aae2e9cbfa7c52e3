using Microsoft.Extensions.Logging;

namespace ModelServer.Runtime.Repository;

/// <summary>Log events of the live repository (watcher, safe loading, warmup, labels): ids 4000–4049.</summary>
internal static partial class RepositoryLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Watching model repository {Root}: poll every {PollSeconds} s, files settle after {SettleSeconds} s")]
    public static partial void Watching(ILogger logger, string root, double pollSeconds, double settleSeconds);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Model repository cannot be read: {Error}. Models already loaded keep serving; it is polled again every {PollSeconds} s")]
    public static partial void RepositoryUnreadable(ILogger logger, string error, double pollSeconds);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Model repository {Root} is readable again")]
    public static partial void RepositoryRecovered(ILogger logger, string root);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Model {Model} appeared at {Path}")]
    public static partial void ModelAppeared(ILogger logger, string model, string path);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Model {Model} is gone from the repository or config; unloading all its versions")]
    public static partial void ModelRemoved(ILogger logger, string model);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Model {Model} cannot be read: {Error}. Its loaded versions keep serving")]
    public static partial void ModelUnreadable(ILogger logger, string model, string error);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "Model {Model} version {Version} is still changing; waiting for its files to settle")]
    public static partial void VersionUnsettled(ILogger logger, string model, long version);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Error, Message = "Model {Model} version {Version} is refused: {Reason}")]
    public static partial void VersionRefused(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "Model {Model} version {Version} warmed up in {ElapsedMs:F1} ms (batch sizes {BatchSizes})")]
    public static partial void WarmedUp(ILogger logger, string model, long version, double elapsedMs, string batchSizes);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "Model {Model} version {Version} changed while it was loading; it is retried once its files settle")]
    public static partial void ChangedWhileLoading(ILogger logger, string model, long version);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Model {Model} version {Version} failed before; its files changed, so it is retried")]
    public static partial void RetryingChanged(ILogger logger, string model, long version);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "Model {Model} labels are now {Labels}")]
    public static partial void LabelsApplied(ILogger logger, string model, string labels);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "Model {Model}: {Error}. Such a label keeps its previous version while that serves")]
    public static partial void LabelsRejected(ILogger logger, string model, string error);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "Model {Model} has no version folders under {Path}; it serves nothing until one appears")]
    public static partial void NoVersions(ILogger logger, string model, string path);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Error, Message = "Repository poll failed: {Error}")]
    public static partial void PollFailed(ILogger logger, Exception exception, string error);

    [LoggerMessage(EventId = 4016, Level = LogLevel.Warning, Message = "Model {Model}: requests on the unloaded version did not finish within {Seconds} s; loading the new version anyway")]
    public static partial void DrainTimedOut(ILogger logger, string model, double seconds);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Information, Message = "Serving the configured model list ({Count} models): {Models}")]
    public static partial void ConfiguredModels(ILogger logger, int count, string models);
}
