using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Metadata;

namespace ModelServer.Runtime.Imaging;

/// <summary>Tightens an ImageSharp configuration for untrusted input.</summary>
internal static class ImageConfigurationExtensions
{
    /// <summary>
    /// GIF decodes its first frame only: a model sees one picture, and an animation of thousands of large frames
    /// would otherwise allocate every frame (ImageSharp 2.x has no frame limit). WebP in 2.1 decodes no animation.
    /// </summary>
    public static SixLabors.ImageSharp.Configuration WithFirstGifFrameOnly(this SixLabors.ImageSharp.Configuration configuration)
    {
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
