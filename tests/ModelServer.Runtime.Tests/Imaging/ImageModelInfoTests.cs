using ModelServer.Runtime.Imaging;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Tensors;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.Imaging;

public sealed class ImageModelInfoTests : IDisposable
{
    private static readonly ModelSignature Signature = new(
        ModelSignature.DefaultName,
        ModelSignature.PredictMethod,
        [new TensorSpec("mask", TensorDataType.Float, [-1, 2]), new TensorSpec("image", TensorDataType.Float, [-1, 8, 8, 3])],
        [new TensorSpec("scores", TensorDataType.Float, [-1, 3])]);

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private string ModelFile(string? config = null, string[]? labelsTxt = null)
    {
        var version = Path.Combine(_root.Path, "m", "1");
        Directory.CreateDirectory(version);
        if (config is not null)
        {
            File.WriteAllText(Path.Combine(_root.Path, "m", "config.json"), config);
        }

        if (labelsTxt is not null)
        {
            File.WriteAllLines(Path.Combine(version, "labels.txt"), labelsTxt);
        }

        return Path.Combine(version, "model.onnx");
    }

    [Fact]
    public void MetadataDeclaresPreprocessingInputAndLabels()
    {
        var info = ImageModelInfo.Read(new Dictionary<string, string> { ["image_size"] = "8", ["labels"] = "a, b ,c" }, Signature, ModelFile());

        Assert.Equal("image", info.ImageInput);
        Assert.Equal(8, info.Preprocessing!.Width);
        Assert.Equal(["a", "b", "c"], info.Labels);
    }

    [Fact]
    public void ConfigJsonWinsOverMetadata()
    {
        var file = ModelFile("""{"preprocessing": {"scale": 1, "mean": [1, 2, 3], "color_order": "BGR"}, "labels": ["x", "y", "z"]}""", ["p", "q", "r"]);

        var info = ImageModelInfo.Read(new Dictionary<string, string> { ["image_size"] = "8", ["scale"] = "0.5", ["labels"] = "a,b,c" }, Signature, file);

        Assert.Equal(1.0, info.Preprocessing!.Scale);
        Assert.Equal([1f, 2f, 3f], info.Preprocessing.Mean);
        Assert.Equal(ColorOrder.Bgr, info.Preprocessing.ColorOrder);
        Assert.Equal(["x", "y", "z"], info.Labels);
    }

    [Fact]
    public void LabelsTxtBesideTheModelIsTheFallback()
    {
        var info = ImageModelInfo.Read(new Dictionary<string, string>(), Signature, ModelFile(labelsTxt: ["p", "", "q"]));

        Assert.Equal(["p", "q"], info.Labels);
        Assert.Null(info.ImageInput);
        Assert.Contains("declares no image input", info.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"preprocessing": {"image_size": 9}}""", "no float input of shape [-1,9,9,3]")]
    [InlineData("""{"preprocessing": {"layout": "HWC"}}""", "malformed")]
    [InlineData("""{"preprocessing": {"image_size": 8, "input": "mask"}}""", "named 'mask'")]
    [InlineData("""{"preprocessing": """, "config.json cannot be read")]
    public void UnusableDeclarationsExplainThemselves(string config, string expected)
    {
        var info = ImageModelInfo.Read(new Dictionary<string, string> { ["image_size"] = "8" }, Signature, ModelFile(config));

        Assert.Null(info.ImageInput);
        Assert.Contains(expected, info.Problem, StringComparison.Ordinal);
    }
}
