using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Imaging;
using ModelServer.Runtime.Serving;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelServer.Runtime.Tests.Imaging;

public sealed class ImageBatchDecoderTests
{
    private static readonly ImagePreprocessing Preprocessing = ImagePreprocessing.UnitScaleRgb(16);

    private static ImageBatchDecoder Decoder(ImageOptions? options = null)
        => new(Options.Create(options ?? new ImageOptions { MaxDecodeParallelism = 4 }), NullLogger<ImageBatchDecoder>.Instance);

    private static Image<Rgb24> Picture(int seed, int width = 40, int height = 30)
    {
        var image = new Image<Rgb24>(width, height);
        var random = new Random(seed);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (ref var pixel in rows.GetRowSpan(y))
                {
                    pixel = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                }
            }
        });
        return image;
    }

    private static byte[] Encode(Image image, IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    [Fact]
    public void ParallelBatchEqualsEachImageDecodedAlone()
    {
        IImageEncoder[] encoders = [new JpegEncoder(), new PngEncoder(), new BmpEncoder(), new GifEncoder(), new WebpEncoder(), new PngEncoder()];
        var images = encoders.Select((e, i) =>
        {
            using var picture = Picture(i);
            return (ReadOnlyMemory<byte>)Encode(picture, e);
        }).ToArray();

        using var batch = Decoder().Decode(images, Preprocessing, "image");

        Assert.Equal([images.Length, 16, 16, 3], batch.Shape.ToArray());
        var all = batch.AsSpan<float>();
        var alone = new float[Preprocessing.ElementCount];
        for (var i = 0; i < images.Length; i++)
        {
            new ImageDecoder().DecodeInto(images[i], Preprocessing, alone);
            Assert.True(all.Slice(i * alone.Length, alone.Length).SequenceEqual(alone), $"image {i} differs");
            Assert.Contains(alone, v => v > 0f);
        }
    }

    [Fact]
    public void AnimatedGifDecodesItsFirstFrameOnly()
    {
        using var first = Picture(1);
        using var second = Picture(2);
        using var animation = first.Clone();
        animation.Frames.AddFrame(second.Frames.RootFrame);
        var gif = Encode(animation, new GifEncoder());

        // ImageSharp's default decodes every frame (each a full-size buffer); the server's decoder only the first.
        using var everyFrame = Image.Load<Rgb24>(gif);
        using var decoded = new ImageDecoder().Decode(gif);

        Assert.Equal(2, everyFrame.Frames.Count);
        Assert.Single(decoded.Frames);
        using var firstFrame = everyFrame.Frames.CloneFrame(0);
        var expected = new Rgb24[first.Width * first.Height];
        var actual = new Rgb24[first.Width * first.Height];
        firstFrame.CopyPixelDataTo(expected);
        decoded.CopyPixelDataTo(actual);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("count", "over the limit of 2 (Images:MaxImagesPerRequest)")]
    [InlineData("bytes", "(Images:MaxImageBytes)")]
    [InlineData("format", "bmp, which is not an allowed format (Images:AllowedFormats: jpeg, png)")]
    [InlineData("unknown", "image 1 is not an image in a known format")]
    [InlineData("pixels", "over the limit of 1000 pixels")]
    [InlineData("corrupt", "image 0: The image cannot be decoded")]
    public void LimitsRefuseBeforeDecodingAndNameTheProblem(string limit, string expected)
    {
        using var picture = Picture(3);
        var png = Encode(picture, new PngEncoder());
        ReadOnlyMemory<byte>[] images = limit switch
        {
            "count" => [png, png, png],
            "bytes" => [png, new byte[5000]],
            "format" => [png, Encode(picture, new BmpEncoder())],
            "unknown" => [png, "GIF9"u8.ToArray()],
            "pixels" => [png],
            "corrupt" => [png.AsMemory(0, 60), png],
            _ => throw new ArgumentOutOfRangeException(nameof(limit)),
        };
        var options = new ImageOptions
        {
            MaxImagesPerRequest = 2,
            MaxImageBytes = limit == "bytes" ? png.Length : 1 << 20,
            AllowedFormats = "jpeg,png",
            MaxPixels = limit == "pixels" ? 1000 : 1_000_000,
        };

        var error = Assert.Throws<ServingException>(() => Decoder(options).Decode(images, Preprocessing, "image"));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jpeg,png", true)]
    [InlineData("jpeg, tiff", false)]
    [InlineData(" , ", false)]
    public void AllowedFormatsAreValidated(string formats, bool valid)
    {
        var options = new ImageOptions { AllowedFormats = formats };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var ok = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
            options, new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true);
        Assert.Equal(valid, ok);
    }
}
