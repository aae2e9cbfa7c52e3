using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelServer.Trainer.Export;
using ModelServer.Trainer.Transfer;
using ModelServer.Trainer.Transfer.TfLite;
using Onnx;

namespace ModelServer.Trainer.Tests.Transfer;

public sealed class TfLiteOnnxConverterTests
{
    private static readonly string[] Labels = ["paper", "rock", "scissors"];

    [Theory]
    [InlineData(8)] // stride 2 over an even size: TensorFlow pads one pixel at the end only
    [InlineData(9)] // odd: one on each side
    public void The_converted_network_computes_what_TFLite_defines(int size)
    {
        var weights = SyntheticTfLite.CreateWeights();
        var network = TfLiteModel.Parse(SyntheticTfLite.Create(weights, size));
        Assert.Equal(8, network.Operators.Count);
        Assert.Equal(TfLiteBuiltin.Dequantize, network.Operators[0].Code);

        var graph = new GraphProto { Name = "converted" };
        var builder = new OnnxGraphBuilder(graph);
        graph.Input.Add(OnnxGraphBuilder.FloatTensor("input", null, size, size, 3));
        builder.Node("Transpose", "to_nchw", ["input"], "input_nchw").Attribute.Add(OnnxGraphBuilder.Ints("perm", 0, 3, 1, 2));
        var names = TfLiteOnnxConverter.Append(network, builder, "input_nchw", [14], "t_");
        graph.Output.Add(OnnxGraphBuilder.FloatTensor(names[14], null, SyntheticTfLite.Outputs));
        var model = new ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = TfLiteOnnxConverter.Opset });

        var images = Images(2, size, seed: size);
        float[] actual = Run(model, images, 2, size);
        for (int n = 0; n < 2; n++)
        {
            var (expected, _) = SyntheticTfLite.Reference(weights, images.AsSpan(n * size * size * 3, size * size * 3).ToArray(), size);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.Equal(expected[o], actual[(n * SyntheticTfLite.Outputs) + o], 4);
            }
        }
    }

    [Fact]
    public void The_hand_feature_model_reads_the_pooled_map_by_average_and_maximum_for_any_batch()
    {
        var weights = SyntheticTfLite.CreateWeights(seed: 11);
        var network = TfLiteModel.Parse(SyntheticTfLite.Create(weights, 16));
        var (features, width) = HandLandmarkBackbone.BuildFeatureModel(network, 12, new FeatureTaps([SyntheticTfLite.Channels], MaxPool: true), Labels);

        Assert.Equal(2 * SyntheticTfLite.Channels, width);
        Assert.Equal("batch", features.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        // Only what the features need: the dense layer and LOGISTIC after the pool are left out.
        Assert.DoesNotContain(features.Graph.Node, n => n.OpType is "Gemm" or "Sigmoid");
        var metadata = features.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("paper,rock,scissors", metadata["labels"]);

        // The network is convolutional up to its pool, so a size other than the file's (16) works.
        var images = Images(3, 12, seed: 2);
        float[] actual = Run(features, images, 3, 12);
        for (int n = 0; n < 3; n++)
        {
            var (_, pooled) = SyntheticTfLite.Reference(weights, images.AsSpan(n * 12 * 12 * 3, 12 * 12 * 3).ToArray(), 12);
            for (int c = 0; c < pooled.Length; c++)
            {
                Assert.Equal(pooled[c], actual[(n * width) + c], 4);
            }

            for (int c = 0; c < SyntheticTfLite.Channels; c++)
            {
                Assert.True(actual[(n * width) + SyntheticTfLite.Channels + c] >= actual[(n * width) + c], "a maximum below the average");
            }
        }
    }

    [Fact]
    public void Upright_turns_the_image_by_the_first_pass_landmarks_before_the_second_pass()
    {
        // Landmarks (normalised to [-1, 1]): wrist (-0.6, 0) to middle knuckle (0.4, 0) points right, so the image
        // is turned by 90° about its centre, which maps pixel centres onto pixel centres: an exact expectation.
        const int size = 16;
        var normalised = new (float X, float Y)[21];
        normalised[0] = (-0.6f, 0);
        normalised[9] = (0.4f, 0);
        normalised[4] = (-0.1f, -0.5f);
        normalised[8] = (-0.1f, 0.5f);
        var landmarks = new float[63];
        for (int i = 0; i < 21; i++)
        {
            landmarks[3 * i] = (normalised[i].X + 1) * size / 2;
            landmarks[(3 * i) + 1] = (normalised[i].Y + 1) * size / 2;
        }

        var weights = SyntheticTfLite.CreateWeights(seed: 13);
        var network = TfLiteModel.Parse(SyntheticTfLite.Create(weights, size, landmarks: landmarks));
        var taps = new FeatureTaps([SyntheticTfLite.Channels], MaxPool: true);
        var (upright, width) = HandLandmarkBackbone.BuildFeatureModel(network, size, taps, Labels, upright: true);
        var (plain, _) = HandLandmarkBackbone.BuildFeatureModel(network, size, taps, Labels);
        Assert.Contains(upright.Graph.Node, n => n.OpType == "GridSample");
        // The two passes share one copy of the weights.
        Assert.Equal(upright.Graph.Initializer.Count, upright.Graph.Initializer.Select(t => t.Name).Distinct().Count());
        Assert.Equal(4, upright.Graph.Initializer.Count(t => t.Name.EndsWith("_w", StringComparison.Ordinal))); // 3 convolutions and the landmark layer

        var images = Images(2, size, seed: 4);
        var turned = new float[images.Length];
        for (int n = 0; n < 2; n++)
        {
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    for (int c = 0; c < 3; c++)
                    {
                        // Output (x, y) shows the source at (size - 1 - y, x): the hand that pointed right points up.
                        turned[(((((n * size) + y) * size) + x) * 3) + c] = images[(((((n * size) + x) * size) + (size - 1 - y)) * 3) + c];
                    }
                }
            }
        }

        float[] actual = Run(upright, images, 2, size);
        float[] expected = Run(plain, turned, 2, size);
        Assert.Equal(2 * width, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 4);
        }
    }

    [Fact]
    public void Upright_needs_the_landmark_output()
    {
        var network = TfLiteModel.Parse(SyntheticTfLite.Create(SyntheticTfLite.CreateWeights(), 8));
        var error = Assert.Throws<InvalidDataException>(() =>
            HandLandmarkBackbone.BuildFeatureModel(network, 8, new FeatureTaps([SyntheticTfLite.Channels], MaxPool: true), Labels, upright: true));
        Assert.Contains("Identity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_TFLite_is_refused_by_name()
    {
        var error = Assert.Throws<InvalidDataException>(() => TfLiteModel.Parse(new byte[64]));
        Assert.Contains("TFL3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_file_is_refused_not_crashed_on()
    {
        byte[] whole = SyntheticTfLite.Create(SyntheticTfLite.CreateWeights(), 8);
        foreach (int length in new[] { 12, whole.Length / 3, whole.Length / 2 })
        {
            Assert.Throws<InvalidDataException>(() =>
            {
                var network = TfLiteModel.Parse(whole[..length]);
                // Some cuts leave the tables whole and take the constants: those fail when the weights are read.
                HandLandmarkBackbone.BuildFeatureModel(network, 8, new FeatureTaps([SyntheticTfLite.Channels], MaxPool: true), Labels);
            });
        }
    }

    [Fact]
    public void An_operator_the_converter_lacks_is_named()
    {
        // 17 is MAX_POOL_2D, put where LOGISTIC was: needed for the network's output, not for the features.
        var network = TfLiteModel.Parse(SyntheticTfLite.Create(SyntheticTfLite.CreateWeights(), 8, unsupportedOperator: 17));
        var graph = new GraphProto();
        var error = Assert.Throws<InvalidDataException>(() => TfLiteOnnxConverter.Append(network, new OnnxGraphBuilder(graph), "x", [14], "t_"));
        Assert.Contains("builtin code 17", error.Message, StringComparison.Ordinal);

        // The features stop at the pool, so the same file still gives a feature model.
        var (features, _) = HandLandmarkBackbone.BuildFeatureModel(network, 8, new FeatureTaps([SyntheticTfLite.Channels], MaxPool: false), Labels);
        Assert.Single(features.Graph.Output);
    }

    private static float[] Images(int count, int size, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count * size * size * 3).Select(_ => random.Next(256) / 255f)];
    }

    private static float[] Run(ModelProto model, float[] images, int count, int size)
    {
        using var session = new InferenceSession(model.ToByteArray());
        using var tensor = OrtValue.CreateTensorValueFromMemory(images, [count, size, size, 3]);
        using var options = new RunOptions();
        using var results = session.Run(options, [session.InputNames[0]], [tensor], [session.OutputNames[0]]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
