using ModelServer.Runtime.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelServer.Trainer.Tests.Imaging;

public sealed class ImageDecoderTests
{
    private static byte[] Jpeg(int width, int height, ushort? orientation = null)
    {
        using var image = new Image<Rgb24>(width, height, new Rgb24(200, 10, 10));
        if (orientation is { } value)
        {
            image.Metadata.ExifProfile = new ExifProfile();
            image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, value);
        }

        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream);
        return stream.ToArray();
    }

    [Fact]
    public void Exif_orientation_is_applied()
    {
        using var upright = new ImageDecoder().Decode(Jpeg(40, 20, orientation: 6)); // 6: rotate 90° clockwise

        Assert.Equal((20, 40), (upright.Width, upright.Height));
    }

    [Fact]
    public void Images_over_the_pixel_limit_are_refused_before_decoding()
    {
        var error = Assert.Throws<ImageDecodeException>(() => new ImageDecoder(maxPixels: 100).Decode(Jpeg(20, 20)));

        Assert.Contains("limit of 100 pixels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_and_empty_input_raise_image_decode_exception()
    {
        var decoder = new ImageDecoder();
        Assert.Throws<ImageDecodeException>(() => decoder.Decode(new byte[] { 1, 2, 3, 4, 5 }.AsMemory()));
        Assert.Throws<ImageDecodeException>(() => decoder.Decode(ReadOnlyMemory<byte>.Empty));
        byte[] truncated = Jpeg(64, 64)[..200];
        Assert.Throws<ImageDecodeException>(() => decoder.Decode(truncated));
    }

    [Fact]
    public void Decode_into_stretches_to_the_input_size()
    {
        var preprocessing = ImagePreprocessing.UnitScaleRgb(16);
        var tensor = new float[preprocessing.ElementCount];

        new ImageDecoder().DecodeInto(Jpeg(64, 32), preprocessing, tensor);

        // A flat red image stays red after resizing: R ≈ 200/255, G ≈ 10/255.
        Assert.InRange(tensor[0], 0.74f, 0.83f);
        Assert.InRange(tensor[1], 0f, 0.1f);
    }
}
