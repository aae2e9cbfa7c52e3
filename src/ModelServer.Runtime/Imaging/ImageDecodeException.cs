namespace ModelServer.Runtime.Imaging;

/// <summary>An image could not be turned into a tensor: unknown or corrupt format, or over a size limit.</summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException()
    {
    }

    public ImageDecodeException(string message)
        : base(message)
    {
    }

    public ImageDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
