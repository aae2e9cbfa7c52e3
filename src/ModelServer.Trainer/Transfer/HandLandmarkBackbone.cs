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
/// values) and by maximum, plus, optionally, the 21 landmarks themselves.
/// </summary>
public static class HandLandmarkBackbone
{
    /// <summary>Builds the feature model; the input size is free (the network is convolutional up to its global pool).</summary>
    /// <exception cref="InvalidDataException">The file is not a network of the expected shape.</exception>
    public static (ModelProto Model, int FeatureCount) BuildFeatureModel(TfLiteModel network, int imageSize, FeatureTaps taps, IReadOnlyList<string> labels)
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
        var names = TfLiteOnnxConverter.Append(network, builder, "input_nchw", [pooled], "hand_");

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
            IrVersion = 7,
            ProducerName = "ModelServer.Trainer",
            DocString = "Feature extractor from MediaPipe hand_landmark_full.tflite",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = TfLiteOnnxConverter.Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = ImageMetadataKeys.Labels, Value = string.Join(',', labels) });
        foreach (var entry in ImagePreprocessing.UnitScaleRgb(imageSize).ToMetadata())
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = entry.Key, Value = entry.Value });
        }

        model.MetadataProps.Add(new StringStringEntryProto { Key = "feature_count", Value = featureCount.ToString(CultureInfo.InvariantCulture) });
        return (model, (int)featureCount);
    }
}
