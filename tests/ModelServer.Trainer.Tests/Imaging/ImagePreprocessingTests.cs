using ModelServer.Runtime.Imaging;

namespace ModelServer.Trainer.Tests.Imaging;

public sealed class ImagePreprocessingTests
{
    [Fact]
    public void Metadata_round_trips()
    {
        var original = new ImagePreprocessing(150, 120, TensorLayout.Nchw, 1.0 / 255.0, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f],
            ColorOrder.Bgr, ImageResampler.Bicubic);

        var read = ImagePreprocessing.FromMetadata(original.ToMetadata().ToDictionary(e => e.Key, e => e.Value));

        Assert.NotNull(read);
        Assert.Equal((original.Width, original.Height, original.Layout, original.Scale, original.ColorOrder, original.Resampler),
            (read.Width, read.Height, read.Layout, read.Scale, read.ColorOrder, read.Resampler));
        Assert.Equal(original.Mean, read.Mean);
        Assert.Equal(original.Std, read.Std);
    }

    [Fact]
    public void Model_without_image_size_is_not_an_image_model_and_bad_values_are_named()
    {
        Assert.Null(ImagePreprocessing.FromMetadata(new Dictionary<string, string> { ["labels"] = "a,b" }));
        var error = Assert.Throws<FormatException>(() => ImagePreprocessing.FromMetadata(
            new Dictionary<string, string> { [ImageMetadataKeys.ImageSize] = "150", [ImageMetadataKeys.Layout] = "HWCN" }));
        Assert.Contains(ImageMetadataKeys.Layout, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_scales_normalises_and_orders_channels()
    {
        byte[] rgb = [255, 0, 51, 0, 102, 255]; // two pixels, 2x1
        var nhwc = new ImagePreprocessing(2, 1, TensorLayout.Nhwc, 1.0 / 255.0, [0, 0, 0], [1, 1, 1], ColorOrder.Rgb, ImageResampler.Bilinear);
        var nchwBgr = nhwc with { Layout = TensorLayout.Nchw, ColorOrder = ColorOrder.Bgr, Mean = [0.5f, 0.5f, 0.5f], Std = [0.5f, 0.5f, 0.5f] };
        var a = new float[6];
        var b = new float[6];

        ImageTensorWriter.Write(rgb, nhwc, a);
        ImageTensorWriter.Write(rgb, nchwBgr, b);

        Assert.Equal([1f, 0f, 0.2f, 0f, 0.4f, 1f], a, (x, y) => Math.Abs(x - y) < 1e-6);
        // Planes B, G, R; (v/255 - 0.5) / 0.5.
        Assert.Equal([-0.6f, 1f, -1f, -0.2f, 1f, -1f], b, (x, y) => Math.Abs(x - y) < 1e-6);
    }
}
