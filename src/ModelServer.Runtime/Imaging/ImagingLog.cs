using Microsoft.Extensions.Logging;

namespace ModelServer.Runtime.Imaging;

/// <summary>Log lines of request image decoding (event ids 6000-6019).</summary>
internal static partial class ImagingLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Debug, Message = "Decoded {Count} image(s) for input '{Input}' in {ElapsedMs:F2} ms")]
    public static partial void Decoded(ILogger logger, int count, string input, double elapsedMs);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "Image {Index} for input '{Input}' refused: {Reason}")]
    public static partial void DecodeFailed(ILogger logger, int index, string input, string reason);
}
