namespace ModelServer.Runtime.Imaging;

/// <summary>
/// Tells the format of encoded image bytes from their signature (magic bytes), so a request is refused for a
/// format it may not use before any decoder runs.
/// </summary>
public static class ImageFormatSniffer
{
    public static ImageFormatKind? Detect(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return ImageFormatKind.Jpeg;
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ImageFormatKind.Png;
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return ImageFormatKind.Gif;
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return ImageFormatKind.Webp;
        }

        if (data.Length >= 14 && data.StartsWith("BM"u8))
        {
            return ImageFormatKind.Bmp;
        }

        return null;
    }

    public static string Name(ImageFormatKind kind) => kind switch
    {
        ImageFormatKind.Jpeg => "jpeg",
        ImageFormatKind.Png => "png",
        ImageFormatKind.Webp => "webp",
        ImageFormatKind.Bmp => "bmp",
        ImageFormatKind.Gif => "gif",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParseName(string name, out ImageFormatKind kind)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "jpeg" or "jpg":
                kind = ImageFormatKind.Jpeg;
                return true;
            case "png":
                kind = ImageFormatKind.Png;
                return true;
            case "webp":
                kind = ImageFormatKind.Webp;
                return true;
            case "bmp":
                kind = ImageFormatKind.Bmp;
                return true;
            case "gif":
                kind = ImageFormatKind.Gif;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}
