namespace ModelServer.Runtime.Imaging;

/// <summary>The encoded formats the server can decode.</summary>
public enum ImageFormatKind
{
    Jpeg,
    Png,
    Webp,
    Bmp,
    Gif,
}
