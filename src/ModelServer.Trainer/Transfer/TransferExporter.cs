using ModelServer.Trainer.Export;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// The served model: the feature extractor's graph with the trained head appended (standardise with the training
/// features' mean and std, Gemm → <c>logits</c>,
/// Softmax → <c>probabilities</c>), the same input, outputs and metadata keys as <see cref="OnnxExporter"/>'s models,
/// so the server, <c>evaluate</c> and clients cannot tell them apart.
/// </summary>
public static class TransferExporter
{
    public static ModelProto Export(ModelProto featureModel, nn.Module<Tensor, Tensor> head, float[] mean, float[] std, string architecture, string description, IReadOnlyDictionary<string, string> extraMetadata)
    {
        ArgumentNullException.ThrowIfNull(featureModel);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(extraMetadata);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        var model = featureModel.Clone();
        model.DocString = description;
        model.ProducerVersion = typeof(TransferExporter).Assembly.GetName().Version?.ToString() ?? "0";
        model.ModelVersion = 1;
        var graph = model.Graph;
        graph.Name = $"{architecture}_classifier";
        graph.Output.Clear();
        var weights = head.state_dict();
        var weight = weights["dense.weight"];
        long classes = weight.shape[0], width = weight.shape[1];
        var builder = new OnnxGraphBuilder(graph);
        builder.Node("Sub", "head_center", [BackboneGraph.FeaturesName, builder.Initializer("head.feature_mean", mean, 1, width)], "centered");
        builder.Node("Div", "head_scale", ["centered", builder.Initializer("head.feature_std", std, 1, width)], "standardized");
        builder.Node("Gemm", "head_dense", ["standardized",
            builder.Initializer("head.dense.weight", weight.detach().contiguous().data<float>().ToArray(), classes, width),
            builder.Initializer("head.dense.bias", weights["dense.bias"].detach().contiguous().data<float>().ToArray(), classes)], OnnxExporter.LogitsName)
            .Attribute.Add(OnnxGraphBuilder.Int("transB", 1));
        builder.Node("Softmax", "softmax", [OnnxExporter.LogitsName], OnnxExporter.ProbabilitiesName).Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        graph.Output.Add(OnnxGraphBuilder.FloatTensor(OnnxExporter.ProbabilitiesName, null, classes));
        graph.Output.Add(OnnxGraphBuilder.FloatTensor(OnnxExporter.LogitsName, null, classes));
        model.MetadataProps.Add(new StringStringEntryProto { Key = "architecture", Value = architecture });
        foreach (var entry in extraMetadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = entry.Key, Value = entry.Value });
        }

        return model;
    }

    /// <summary>Parameters in the exported model: every float initializer element (backbone and head).</summary>
    public static long ParameterCount(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float)
            .Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));
    }
}
