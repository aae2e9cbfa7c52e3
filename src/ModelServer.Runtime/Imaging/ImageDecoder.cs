using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Transforms;

namespace ModelServer.Runtime.Imaging;

/// <summary>
/// Decodes encoded image bytes into an upright RGB image of a model's input size. The one decode
/// path shared by the server and the trainer, so a model sees in production exactly what it saw
/// when it was evaluated.
/// </summary>
public sealed class ImageDecoder
{
    /// <summary>About 40 megapixels: a 12-bit-per-side phone photo fits, a decompression bomb does not.</summary>
    public const long DefaultMaxPixels = 40_000_000;

    // Only the formats clients send; TIFF, TGA, PBM decoders stay unregistered (less attack surface).
    private static readonly SixLabors.ImageSharp.Configuration Formats = new SixLabors.ImageSharp.Configuration(
        new JpegConfigurationModule(),
        new PngConfigurationModule(),
        new WebpConfigurationModule(),
        new BmpConfigurationModule(),
        new GifConfigurationModule()).WithFirstGifFrameOnly();

    public ImageDecoder(long maxPixels = DefaultMaxPixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        MaxPixels = maxPixels;
    }

    public long MaxPixels { get; }

    /// <summary>Decodes, applies the EXIF orientation and converts to RGB (alpha dropped).</summary>
    /// <exception cref="ImageDecodeException">Unknown or corrupt format, or more pixels than <see cref="MaxPixels"/>.</exception>
    public Image<Rgb24> Decode(ReadOnlyMemory<byte> encoded)
    {
        if (encoded.IsEmpty)
        {
            throw new ImageDecodeException("The image is empty (0 bytes).");
        }

        using var stream = MemoryMarshal.TryGetArray(encoded, out ArraySegment<byte> segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(encoded.ToArray(), writable: false);
        return Decode(stream);
    }

    /// <summary>Decodes from a seekable stream (the header is read first, then the stream rewound).</summary>
    /// <exception cref="ImageDecodeException">Unknown or corrupt format, or more pixels than <see cref="MaxPixels"/>.</exception>
    public Image<Rgb24> Decode(Stream encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (!encoded.CanSeek)
        {
            throw new ArgumentException("The stream must be seekable.", nameof(encoded));
        }

        long start = encoded.Position;
        if (encoded.Length - start == 0)
        {
            throw new ImageDecodeException("The image is empty (0 bytes).");
        }

        try
        {
            // The header is read first so an oversized image is refused before its pixels are allocated.
            IImageInfo? info = Image.Identify(Formats, encoded)
                ?? throw new ImageDecodeException("Unknown image format: expected JPEG, PNG, WebP, BMP or GIF.");
            long pixels = (long)info.Width * info.Height;
            if (info.Width <= 0 || info.Height <= 0)
            {
                throw new ImageDecodeException($"The image header declares an invalid size {info.Width}x{info.Height}.");
            }

            if (pixels > MaxPixels)
            {
                throw new ImageDecodeException(
                    $"The image is {info.Width}x{info.Height} ({pixels} pixels), over the limit of {MaxPixels} pixels.");
            }

            encoded.Position = start;
            var image = Image.Load<Rgb24>(Formats, encoded);
            image.Mutate(x => x.AutoOrient());
            return image;
        }
        catch (ImageDecodeException)
        {
            throw;
        }
        catch (Exception ex) when (ex is UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new ImageDecodeException($"The image cannot be decoded: {ex.Message}", ex);
        }
    }

    /// <summary>Decodes and stretches to the preprocessing's size (no crop, aspect ratio not kept).</summary>
    public Image<Rgb24> DecodeResized(ReadOnlyMemory<byte> encoded, ImagePreprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        var image = Decode(encoded);
        try
        {
            Resize(image, preprocessing);
            return image;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>Decodes one image and writes its tensor into <paramref name="destination"/>.</summary>
    public void DecodeInto(ReadOnlyMemory<byte> encoded, ImagePreprocessing preprocessing, Span<float> destination)
    {
        using var image = DecodeResized(encoded, preprocessing);
        ImageTensorWriter.Write(image, preprocessing, destination);
    }

    /// <summary>Stretches the image in place to the input size with the declared resampler.</summary>
    public static void Resize(Image<Rgb24> image, ImagePreprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (image.Width == preprocessing.Width && image.Height == preprocessing.Height)
        {
            return;
        }

        var options = new ResizeOptions
        {
            Size = new Size(preprocessing.Width, preprocessing.Height),
            Mode = ResizeMode.Stretch,
            Sampler = Sampler(preprocessing.Resampler),
        };
        image.Mutate(x => x.Resize(options));
    }

    private static IResampler Sampler(ImageResampler resampler) => resampler switch
    {
        ImageResampler.Bilinear => KnownResamplers.Triangle,
        ImageResampler.Bicubic => KnownResamplers.Bicubic,
        ImageResampler.NearestNeighbor => KnownResamplers.NearestNeighbor,
        _ => throw new ArgumentOutOfRangeException(nameof(resampler)),
    };
}
