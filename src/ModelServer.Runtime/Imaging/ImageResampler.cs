namespace ModelServer.Runtime.Imaging;

/// <summary>Interpolation used to resize an image to the model's input size.</summary>
public enum ImageResampler
{
    /// <summary>Bilinear (ImageSharp's triangle filter), the default of Keras' image loading.</summary>
    Bilinear,
    Bicubic,
    NearestNeighbor,
}
