using Microsoft.Extensions.Logging;

namespace ModelServer.Runtime.Repository;

internal static partial class ModelManagerLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Loading {Model} version {Version} from {Path}")]
    public static partial void Loading(ILogger logger, string model, long version, string path);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Model {Model} version {Version} is AVAILABLE on {Provider} (loaded in {ElapsedMs:F0} ms)")]
    public static partial void Available(ILogger logger, string model, long version, string provider, double elapsedMs);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Model {Model} version {Version} failed to load: {Error}")]
    public static partial void LoadFailed(ILogger logger, string model, long version, string error);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Unloading {Model} version {Version}; it is disposed when its last request finishes")]
    public static partial void Unloading(ILogger logger, string model, long version);
}
