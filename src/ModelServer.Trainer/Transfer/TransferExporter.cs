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
        long classes = weight.shape[0];
        long width = mean.Length;
        var builder = new OnnxGraphBuilder(graph);
        builder.Node("Sub", "head_center", [BackboneGraph.FeaturesName, builder.Initializer("head.feature_mean", mean, 1, width)], "centered");
        builder.Node("Div", "head_scale", ["centered", builder.Initializer("head.feature_std", std, 1, width)], "standardized");
        string denseInput = "standardized";
        if (weights.TryGetValue("hidden.weight", out var hidden))
        {
            long units = hidden.shape[0];
            builder.Node("Gemm", "head_hidden", ["standardized",
                builder.Initializer("head.hidden.weight", Values(hidden), units, width),
                builder.Initializer("head.hidden.bias", Values(weights["hidden.bias"]), units)], "hidden_linear")
                .Attribute.Add(OnnxGraphBuilder.Int("transB", 1));
            builder.Node("Relu", "head_hidden_relu", ["hidden_linear"], "hidden");
            denseInput = "hidden";
        }

        builder.Node("Gemm", "head_dense", [denseInput,
            builder.Initializer("head.dense.weight", Values(weight), classes, weight.shape[1]),
            builder.Initializer("head.dense.bias", Values(weights["dense.bias"]), classes)], OnnxExporter.LogitsName)
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

    private static float[] Values(Tensor tensor) => tensor.detach().contiguous().data<float>().ToArray();

    /// <summary>Parameters in the exported model: every float initializer element (backbone and head).</summary>
    public static long ParameterCount(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float)
            .Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));
    }
}
