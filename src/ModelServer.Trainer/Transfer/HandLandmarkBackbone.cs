using System.Globalization;
using ModelServer.Runtime.Imaging;
using ModelServer.Trainer.Export;
using ModelServer.Trainer.Transfer.TfLite;
using Onnx;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// A feature extractor from MediaPipe's hand landmark network (<c>hand_landmark_full.tflite</c>, Apache-2.0): a
/// MobileNet-style network trained to place the 21 joints of a hand in a hand-centred crop, so its last feature map
/// already encodes which fingers are bent, on real hands of many people, skin tones and lights. The network's
/// convolutions are converted to ONNX (<see cref="TfLiteOnnxConverter"/>); its input is what ours is (NHWC float RGB
/// in [0,1]); the head reads the last feature map pooled by average (what the landmark regressors read, 1,152
/// values) and, with <see cref="FeatureTaps.MaxPool"/>, by maximum. The landmark outputs are linear in the average,
/// so a head on the features can read them without them being added.
/// </summary>
public static class HandLandmarkBackbone
{
    /// <summary>GridSample needs opset 16; every operator the converter writes means the same there as in 13.</summary>
    public const int GridSampleOpset = 16;

    // MediaPipe's 21 hand landmarks, x y z each: 0 is the wrist, 9 the middle finger's knuckle (MCP).
    private const int Wrist = 0;
    private const int MiddleKnuckle = 9;

    /// <summary>Builds the feature model; the input size is free (the network is convolutional up to its global pool).</summary>
    /// <exception cref="InvalidDataException">The file is not a network of the expected shape.</exception>
    /// <param name="upright">
    /// Run the network twice, as MediaPipe does on video: the first pass finds the wrist and the middle finger's
    /// knuckle, the image is rotated (about its centre, with GridSample) so that the hand points up, and the
    /// features come from the second pass on the turned image. The network was trained on hands turned upright.
    /// </param>
    public static (ModelProto Model, int FeatureCount) BuildFeatureModel(TfLiteModel network, int imageSize, FeatureTaps taps, IReadOnlyList<string> labels, bool upright = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(taps);
        ArgumentNullException.ThrowIfNull(labels);
        int meanOp = -1;
        for (int i = 0; i < network.Operators.Count; i++)
        {
            if (network.Operators[i].Code == TfLiteBuiltin.Mean)
            {
                meanOp = i;
            }
        }

        if (meanOp < 0)
        {
            throw new InvalidDataException("The network has no global average pool (MEAN) to read features from.");
        }

        int pooled = network.Operators[meanOp].Outputs[0];
        int map = network.Operators[meanOp].Inputs[0];
        int channels = network.Tensors[map].Shape[^1];

        var graph = new GraphProto { Name = "hand_landmark_features" };
        var builder = new OnnxGraphBuilder(graph);
        graph.Input.Add(OnnxGraphBuilder.FloatTensor(OnnxExporter.InputName, null, imageSize, imageSize, 3));
        builder.Node("Transpose", "nhwc_to_nchw", [OnnxExporter.InputName], "input_nchw").Attribute.Add(OnnxGraphBuilder.Ints("perm", 0, 3, 1, 2));
        string features = upright ? Upright(network, builder, "input_nchw", imageSize) : "input_nchw";

        var names = TfLiteOnnxConverter.Append(network, builder, features, [pooled], upright ? "hand_upright_" : "hand_", "hand_");

        var parts = new List<string> { names[pooled] };
        long featureCount = channels;
        if (taps.MaxPool)
        {
            builder.Node("GlobalMaxPool", "features_max", [names[map]], "features_max_4d");
            builder.Node("Flatten", "features_max_flatten", ["features_max_4d"], "features_max").Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
            parts.Add("features_max");
            featureCount += channels;
        }

        if (parts.Count == 1)
        {
            builder.Node("Identity", "features", parts, BackboneGraph.FeaturesName);
        }
        else
        {
            builder.Node("Concat", "features", parts, BackboneGraph.FeaturesName).Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        }

        graph.Output.Add(OnnxGraphBuilder.FloatTensor(BackboneGraph.FeaturesName, null, featureCount));
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "ModelServer.Trainer",
            DocString = "Feature extractor from MediaPipe hand_landmark_full.tflite",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = upright ? GridSampleOpset : TfLiteOnnxConverter.Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = ImageMetadataKeys.Labels, Value = string.Join(',', labels) });
        foreach (var entry in ImagePreprocessing.UnitScaleRgb(imageSize).ToMetadata())
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = entry.Key, Value = entry.Value });
        }

        model.MetadataProps.Add(new StringStringEntryProto { Key = "feature_count", Value = featureCount.ToString(CultureInfo.InvariantCulture) });
        return (model, (int)featureCount);
    }

    /// <summary>
    /// Appends the first pass and the rotation; returns the turned image (NCHW). The sampling grid maps each output
    /// pixel (u, v), normalised to [-1, 1] about the centre, to u·e_u + v·e_v in the source, where e_v = -d and
    /// e_u = (-d_y, d_x) for d the unit vector from wrist to knuckle: d then points straight up in the output.
    /// </summary>
    private static string Upright(TfLiteModel network, OnnxGraphBuilder builder, string input, int imageSize)
    {
        int landmarks = ScreenLandmarks(network);
        var names = TfLiteOnnxConverter.Append(network, builder, input, [landmarks], "hand_locate_", "hand_");
        string points = names[landmarks];
        builder.Node("Gather", "upright_wrist", [points, builder.Int64Initializer("upright_wrist_xy", [3 * Wrist, (3 * Wrist) + 1], 2)], "upright_wrist").Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        builder.Node("Gather", "upright_knuckle", [points, builder.Int64Initializer("upright_knuckle_xy", [3 * MiddleKnuckle, (3 * MiddleKnuckle) + 1], 2)], "upright_knuckle").Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        builder.Node("Sub", "upright_direction", ["upright_knuckle", "upright_wrist"], "upright_d_raw");
        // A micropixel upwards: a hand the first pass could not place (both points equal) is left as it is, d = (0, -1).
        builder.Node("Add", "upright_default", ["upright_d_raw", builder.Initializer("upright_up", [0f, -1e-6f], 1, 2)], "upright_d");
        builder.Node("ReduceL2", "upright_length", ["upright_d"], "upright_length").Attribute.AddRange([OnnxGraphBuilder.Ints("axes", 1), OnnxGraphBuilder.Int("keepdims", 1)]);
        builder.Node("Add", "upright_length_eps", ["upright_length", builder.Initializer("upright_eps", [1e-12f])], "upright_length_safe");
        builder.Node("Div", "upright_unit", ["upright_d", "upright_length_safe"], "upright_unit");
        builder.Node("Gather", "upright_dx", ["upright_unit", builder.Int64Initializer("upright_x", [0], 1)], "upright_dx").Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        builder.Node("Gather", "upright_dy", ["upright_unit", builder.Int64Initializer("upright_y", [1], 1)], "upright_dy").Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        builder.Node("Neg", "upright_neg_dy", ["upright_dy"], "upright_neg_dy");
        builder.Node("Concat", "upright_eu", ["upright_neg_dy", "upright_dx"], "upright_eu").Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        builder.Node("Neg", "upright_ev", ["upright_unit"], "upright_ev");
        string shape = builder.Int64Initializer("upright_axis_shape", [-1, 1, 1, 2], 4);
        builder.Node("Reshape", "upright_eu_4d", ["upright_eu", shape], "upright_eu_4d");
        builder.Node("Reshape", "upright_ev_4d", ["upright_ev", shape], "upright_ev_4d");

        // Pixel centres in [-1, 1] (align_corners = 0): u along x, v along y, shaped [1, H, W, 1].
        var u = new float[imageSize * imageSize];
        var v = new float[imageSize * imageSize];
        for (int y = 0; y < imageSize; y++)
        {
            for (int x = 0; x < imageSize; x++)
            {
                u[(y * imageSize) + x] = ((x + 0.5f) / imageSize * 2) - 1;
                v[(y * imageSize) + x] = ((y + 0.5f) / imageSize * 2) - 1;
            }
        }

        builder.Node("Mul", "upright_grid_u", [builder.Initializer("upright_u", u, 1, imageSize, imageSize, 1), "upright_eu_4d"], "upright_grid_u");
        builder.Node("Mul", "upright_grid_v", [builder.Initializer("upright_v", v, 1, imageSize, imageSize, 1), "upright_ev_4d"], "upright_grid_v");
        builder.Node("Add", "upright_grid", ["upright_grid_u", "upright_grid_v"], "upright_grid");
        var sample = builder.Node("GridSample", "upright_sample", [input, "upright_grid"], "upright_image");
        sample.Attribute.Add(OnnxGraphBuilder.String("mode", "bilinear"));
        sample.Attribute.Add(OnnxGraphBuilder.String("padding_mode", "zeros"));
        sample.Attribute.Add(OnnxGraphBuilder.Int("align_corners", 0));
        return "upright_image";
    }

    /// <summary>The 63-value screen landmark output (MediaPipe names it "Identity"; "Identity_3" is the world landmarks).</summary>
    private static int ScreenLandmarks(TfLiteModel network)
    {
        foreach (int output in network.Outputs)
        {
            var tensor = network.Tensors[output];
            if (tensor.Name == "Identity" && tensor.Shape.Length == 2 && tensor.Shape[1] == 63)
            {
                return output;
            }
        }

        throw new InvalidDataException("The network has no 63-value landmark output named 'Identity' to turn the hand upright with.");
    }
}
