using System.Globalization;
using ModelServer.Runtime.Imaging;
using ModelServer.Trainer.Export;
using Onnx;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// Turns a pretrained image network (ML.NET's ImageNet ResNet-18, exported by CNTK: NCHW, BGR, 0–255 minus the
/// ImageNet channel means, batch fixed at 1, a 7×7 average pool at the end) into a feature extractor that takes
/// what our models take: NHWC float RGB scaled to [0,1], any batch size, any input size. The graph is edited as an
/// ONNX <see cref="ModelProto"/> through Google.Protobuf; the pretrained nodes and weights are kept as they are.
/// <list type="bullet">
/// <item>In front: Transpose NHWC→NCHW, Gather the channels RGB→BGR, Mul 255, Sub the channel means.</item>
/// <item>The network can be cut after the last block of a given width (256: ResNet's third stage), which keeps
/// the general mid-level features, a quarter of the weights and three quarters of the compute.</item>
/// <item>At the end: GlobalAveragePool (the fixed 7×7 pool only fits 224×224 inputs) and Flatten to
/// <c>[batch, channels]</c>.</item>
/// </list>
/// The opset stays the source's (8): its BatchNormalization nodes carry the <c>spatial</c> attribute that later
/// opsets removed, and every operator added here exists in opset 8.
/// </summary>
public static class BackboneGraph
{
    public const string FeaturesName = "features";

    /// <summary>ImageNet channel means the CNTK ResNet was trained with (BGR): ML.NET's ResNetPreprocess mean image averaged per channel.</summary>
    private static readonly float[] BgrMeans = [103.062624f, 115.902882f, 123.151631f];

    /// <summary>Builds the feature extractor, cut after the deepest stage <paramref name="taps"/> reads from.</summary>
    /// <exception cref="InvalidDataException">The model is not a single-input NCHW image network of the expected kind.</exception>
    public static (ModelProto Model, int FeatureCount) BuildFeatureModel(ModelProto backbone, int imageSize, FeatureTaps taps, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(taps);
        var source = backbone.Graph ?? throw new InvalidDataException("The backbone model has no graph.");
        var initializers = source.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var realInputs = source.Input.Where(i => !initializers.ContainsKey(i.Name)).ToList();
        if (realInputs.Count != 1 || realInputs[0].Type?.TensorType?.Shape?.Dim.Count != 4)
        {
            throw new InvalidDataException("The backbone must have exactly one 4-D image input (NCHW).");
        }

        string sourceInput = realInputs[0].Name;
        var channels = new Dictionary<string, long>(StringComparer.Ordinal) { [sourceInput] = 3 };
        var kept = new List<NodeProto>();
        foreach (var node in source.Node)
        {
            if (node.OpType is "AveragePool" or "GlobalAveragePool")
            {
                break; // The head pools by itself.
            }

            long width = node.OpType == "Conv" && initializers.TryGetValue(node.Input[1], out var weight)
                ? weight.Dims[0]
                : channels.GetValueOrDefault(node.Input[0]);
            channels[node.Output[0]] = width;
            kept.Add(node);
        }

        // A stage ends at the last Relu of its width; the network is cut after the deepest stage read.
        var tapOutputs = new List<(string Name, long Channels)>();
        int cut = -1;
        foreach (int width in taps.StageChannels)
        {
            int end = kept.FindLastIndex(n => n.OpType == "Relu" && channels[n.Output[0]] == width);
            if (end < 0)
            {
                throw new InvalidDataException($"The backbone has no stage of {width} channels to read features from.");
            }

            tapOutputs.Add((kept[end].Output[0], width));
            cut = Math.Max(cut, end);
        }

        if (cut < 0)
        {
            throw new InvalidDataException("No feature taps given.");
        }

        kept.RemoveRange(cut + 1, kept.Count - cut - 1);

        var graph = new GraphProto { Name = "backbone_features" };
        var builder = new OnnxGraphBuilder(graph);
        graph.Input.Add(OnnxGraphBuilder.FloatTensor(OnnxExporter.InputName, null, imageSize, imageSize, 3));
        builder.Node("Transpose", "nhwc_to_nchw", [OnnxExporter.InputName], "rgb_nchw").Attribute.Add(OnnxGraphBuilder.Ints("perm", 0, 3, 1, 2));
        var order = builder.Int64Initializer("bgr_order", [2, 1, 0], 3);
        builder.Node("Gather", "rgb_to_bgr", ["rgb_nchw", order], "bgr_nchw").Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        builder.Node("Mul", "to_255", ["bgr_nchw", builder.Initializer("scale_255", [255f, 255f, 255f], 1, 3, 1, 1)], "bgr_255");
        builder.Node("Sub", "minus_mean", ["bgr_255", builder.Initializer("bgr_means", BgrMeans, 1, 3, 1, 1)], sourceInput);

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in kept)
        {
            var copy = node.Clone();
            MakePaddingSymmetric(copy);
            graph.Node.Add(copy);
            used.UnionWith(node.Input);
        }

        foreach (var tensor in source.Initializer.Where(t => used.Contains(t.Name)))
        {
            graph.Initializer.Add(tensor.Clone());
        }

        // Each tap: global average (what is there) and, optionally, global max (the strongest local response: a
        // few fingers in a large photo barely move the average). Concatenated in tap order.
        var pooled = new List<string>();
        long featureCount = 0;
        foreach (var (name, width) in tapOutputs)
        {
            foreach (string pool in taps.MaxPool ? new[] { "GlobalAveragePool", "GlobalMaxPool" } : ["GlobalAveragePool"])
            {
                string id = $"{name}_{pool}";
                builder.Node(pool, id, [name], id + "_4d");
                builder.Node("Flatten", id + "_flatten", [id + "_4d"], id + "_2d").Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
                pooled.Add(id + "_2d");
                featureCount += width;
            }
        }

        if (pooled.Count == 1)
        {
            builder.Node("Identity", "features", pooled, FeaturesName);
        }
        else
        {
            builder.Node("Concat", "features", pooled, FeaturesName).Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        }

        graph.Output.Add(OnnxGraphBuilder.FloatTensor(FeaturesName, null, featureCount));

        var model = new ModelProto
        {
            // IR 4: initializers need not be listed as graph inputs (they would show up as model inputs otherwise).
            IrVersion = Math.Max(4, backbone.IrVersion),
            ProducerName = "ModelServer.Trainer",
            DocString = $"Feature extractor from {backbone.ProducerName} {backbone.Graph.Name}",
            Graph = graph,
        };
        model.OpsetImport.AddRange(backbone.OpsetImport.Select(o => o.Clone()));
        model.MetadataProps.Add(new StringStringEntryProto { Key = ImageMetadataKeys.Labels, Value = string.Join(',', labels) });
        foreach (var entry in ImagePreprocessing.UnitScaleRgb(imageSize).ToMetadata())
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = entry.Key, Value = entry.Value });
        }

        model.MetadataProps.Add(new StringStringEntryProto { Key = "feature_count", Value = featureCount.ToString(CultureInfo.InvariantCulture) });
        return (model, (int)featureCount);
    }

    /// <summary>
    /// CNTK wrote pads for 224×224 inputs: begin 1, end 0 on the strided 3×3 convolutions (3 and 2 on the 7×7 stem),
    /// so at sizes that halve to an odd number the main path comes out one row shorter than its 1×1 shortcut and
    /// the Add fails. The end pads are raised to the begin pads. Where a window starts depends only on the begin
    /// pad, so at the sizes CNTK planned for the outputs are unchanged (the extra end padding is never reached),
    /// and every other size now works, as with torchvision's symmetric padding.
    /// </summary>
    private static void MakePaddingSymmetric(NodeProto node)
    {
        var pads = node.Attribute.FirstOrDefault(a => a.Name == "pads");
        if (pads is null || pads.Ints.Count % 2 != 0)
        {
            return;
        }

        int half = pads.Ints.Count / 2;
        for (int i = 0; i < half; i++)
        {
            pads.Ints[half + i] = Math.Max(pads.Ints[half + i], pads.Ints[i]);
        }
    }
}
