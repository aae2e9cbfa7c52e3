using Microsoft.Extensions.Logging;

namespace ModelServer.Runtime.Onnx;

internal static partial class OnnxLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "CUDA execution provider could not be loaded ({Reason}); falling back to CPU for {Path}")]
    public static partial void CudaFallback(ILogger logger, string reason, string path);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Execution provider auto: CPU ({Reason})")]
    public static partial void CpuOnly(ILogger logger, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Created ONNX Runtime session for {Path} on {Provider} in {ElapsedMs:F1} ms")]
    public static partial void SessionCreated(ILogger logger, string path, string provider, double elapsedMs);
}
