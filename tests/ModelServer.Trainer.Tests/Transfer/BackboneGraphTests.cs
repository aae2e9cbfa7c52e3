using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelServer.Trainer.Transfer;

namespace ModelServer.Trainer.Tests.Transfer;

public sealed class BackboneGraphTests
{
    private static readonly string[] Labels = ["paper", "rock", "scissors"];

    [Fact]
    public void At_the_planned_size_features_equal_the_original_network_on_its_own_input()
    {
        // The original takes BGR 0-255 minus the channel means in NCHW; ours takes RGB [0,1] in NHWC. Same image,
        // same pooled features: the preprocessing prefix is right and symmetric pads change nothing at 224.
        var backbone = SyntheticBackbone.Create();
        var (features, width) = BackboneGraph.BuildFeatureModel(backbone, 224, new FeatureTaps([512], MaxPool: false), Labels);
        Assert.Equal(512, width);

        var random = new Random(3);
        var nhwc = new float[224 * 224 * 3];
        for (int i = 0; i < nhwc.Length; i++)
        {
            nhwc[i] = random.Next(256) / 255f;
        }

        float[] means = [103.062624f, 115.902882f, 123.151631f];
        var nchw = new float[nhwc.Length];
        for (int y = 0; y < 224; y++)
        {
            for (int x = 0; x < 224; x++)
            {
                for (int bgr = 0; bgr < 3; bgr++)
                {
                    float rgbValue = nhwc[(((y * 224) + x) * 3) + (2 - bgr)];
                    nchw[(bgr * 224 * 224) + (y * 224) + x] = (rgbValue * 255f) - means[bgr];
                }
            }
        }

        float[] expected = Run(backbone.ToByteArray(), SyntheticBackbone.InputName, nchw, [1, 3, 224, 224]);
        float[] actual = Run(features.ToByteArray(), "input", nhwc, [1, 224, 224, 3]);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-3 * Math.Max(1, Math.Abs(expected[i])), $"feature {i}: {expected[i]} vs {actual[i]}");
        }
    }

    [Fact]
    public void Any_batch_and_sizes_that_halve_to_odd_numbers_work()
    {
        // 150 → 75 → 38 → 19 → 10 → 5: with CNTK's one-sided pads the strided path and its shortcut disagree.
        var (features, width) = BackboneGraph.BuildFeatureModel(SyntheticBackbone.Create(), 150, new FeatureTaps([128, 256], MaxPool: true), Labels);
        Assert.Equal((128 + 256) * 2, width);
        Assert.Equal("batch", features.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Single(features.Graph.Input);
        Assert.DoesNotContain(features.Graph.Node, n => n.OpType == "AveragePool");
        // Cut after the 256 stage: nothing of the 512 stage is left, nodes or weights.
        Assert.DoesNotContain(features.Graph.Initializer, t => t.Dims.Count > 0 && t.Dims[0] == 512);

        float[] output = Run(features.ToByteArray(), "input", new float[3 * 150 * 150 * 3], [3, 150, 150, 3]);
        Assert.Equal(3 * width, output.Length);
        Assert.All(output, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void A_stage_the_backbone_lacks_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => BackboneGraph.BuildFeatureModel(SyntheticBackbone.Create(), 64, new FeatureTaps([1024], MaxPool: false), Labels));
        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
    }

    private static float[] Run(byte[] model, string input, float[] values, long[] shape)
    {
        using var session = new InferenceSession(model);
        using var tensor = OrtValue.CreateTensorValueFromMemory(values, shape);
        using var options = new RunOptions();
        using var results = session.Run(options, [input], [tensor], [session.OutputNames[0]]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
