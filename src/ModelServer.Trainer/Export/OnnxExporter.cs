using System.Globalization;
using Google.Protobuf;
using ModelServer.Runtime.Imaging;
using ModelServer.Trainer.Models;
using Onnx;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Export;

/// <summary>
/// Writes a trained sequential network as an ONNX model without Python: the graph comes from the
/// architecture's layer list, the weights from the module's state dictionary. The model takes NHWC
/// float images (what Keras and TF Serving clients send) and transposes them to the NCHW the
/// convolutions were trained on.
/// </summary>
public static class OnnxExporter
{
    public const string InputName = "input";
    public const string LogitsName = "logits";
    public const string ProbabilitiesName = "probabilities";

    // Opset 17 covers every operator used here and is supported by ONNX Runtime 1.14 and newer.
    private const long OpsetVersion = 17;
    private const float BatchNormEpsilon = 1e-5f; // TorchSharp's BatchNorm2d default.

    public static ModelProto Export(
        Architecture architecture, nn.Module<Tensor, Tensor> model, IReadOnlyList<string> labels, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labels);
        var weights = model.state_dict();
        var graph = new GraphProto { Name = $"{architecture.Name}_classifier" };
        var builder = new OnnxGraphBuilder(graph);
        int size = architecture.ImageSize;
        graph.Input.Add(OnnxGraphBuilder.FloatTensor(InputName, null, size, size, 3));
        builder.Node("Transpose", "nhwc_to_nchw", [InputName], "nchw").Attribute.Add(OnnxGraphBuilder.Ints("perm", 0, 3, 1, 2));
        string current = "nchw";
        for (int i = 0; i < architecture.Layers.Count; i++)
        {
            var layer = architecture.Layers[i];
            string prefix = $"{i}_{layer.Kind.ToString().ToLowerInvariant()}";
            bool last = i == architecture.Layers.Count - 1;
            string output = last ? LogitsName : $"{prefix}_out";
            switch (layer.Kind)
            {
                case LayerKind.Conv:
                {
                    var node = builder.Node("Conv", prefix, [current,
                        builder.Initializer($"{prefix}.weight", Values(weights, $"{prefix}.weight"), layer.Out, layer.In, layer.Kernel, layer.Kernel),
                        builder.Initializer($"{prefix}.bias", Values(weights, $"{prefix}.bias"), layer.Out)], output);
                    node.Attribute.Add(OnnxGraphBuilder.Ints("kernel_shape", layer.Kernel, layer.Kernel));
                    node.Attribute.Add(OnnxGraphBuilder.Ints("strides", layer.Stride, layer.Stride));
                    node.Attribute.Add(OnnxGraphBuilder.Ints("pads", layer.Padding, layer.Padding, layer.Padding, layer.Padding));
                    break;
                }

                case LayerKind.BatchNorm:
                    builder.Node("BatchNormalization", prefix, [current,
                        builder.Initializer($"{prefix}.weight", Values(weights, $"{prefix}.weight"), layer.Out),
                        builder.Initializer($"{prefix}.bias", Values(weights, $"{prefix}.bias"), layer.Out),
                        builder.Initializer($"{prefix}.running_mean", Values(weights, $"{prefix}.running_mean"), layer.Out),
                        builder.Initializer($"{prefix}.running_var", Values(weights, $"{prefix}.running_var"), layer.Out)], output)
                        .Attribute.Add(OnnxGraphBuilder.Float("epsilon", BatchNormEpsilon));
                    break;
                case LayerKind.Relu:
                    builder.Node("Relu", prefix, [current], output);
                    break;
                case LayerKind.MaxPool:
                {
                    var node = builder.Node("MaxPool", prefix, [current], output);
                    node.Attribute.Add(OnnxGraphBuilder.Ints("kernel_shape", layer.Kernel, layer.Kernel));
                    node.Attribute.Add(OnnxGraphBuilder.Ints("strides", layer.Stride, layer.Stride));
                    break;
                }

                case LayerKind.GlobalAveragePool:
                    builder.Node("GlobalAveragePool", prefix, [current], output);
                    break;
                case LayerKind.Flatten:
                    builder.Node("Flatten", prefix, [current], output).Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
                    break;
                case LayerKind.Dropout:
                    // Inference is the identity; no node, the next layer reads this layer's input.
                    output = current;
                    break;
                case LayerKind.Linear:
                    builder.Node("Gemm", prefix, [current,
                        builder.Initializer($"{prefix}.weight", Values(weights, $"{prefix}.weight"), layer.Out, layer.In),
                        builder.Initializer($"{prefix}.bias", Values(weights, $"{prefix}.bias"), layer.Out)], output)
                        .Attribute.Add(OnnxGraphBuilder.Int("transB", 1));
                    break;
                default:
                    throw new NotSupportedException($"Layer kind {layer.Kind} cannot be exported.");
            }

            current = output;
        }

        if (current != LogitsName)
        {
            throw new NotSupportedException("The architecture must end in a layer that produces the logits.");
        }

        builder.Node("Softmax", "softmax", [LogitsName], ProbabilitiesName).Attribute.Add(OnnxGraphBuilder.Int("axis", 1));
        graph.Output.Add(OnnxGraphBuilder.FloatTensor(ProbabilitiesName, null, labels.Count));
        graph.Output.Add(OnnxGraphBuilder.FloatTensor(LogitsName, null, labels.Count));

        var onnx = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "ModelServer.Trainer",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            ModelVersion = 1,
            DocString = architecture.Description,
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
        AddMetadata(onnx, ImageMetadataKeys.Labels, string.Join(',', labels));
        foreach (var entry in ImagePreprocessing.UnitScaleRgb(size).ToMetadata())
        {
            AddMetadata(onnx, entry.Key, entry.Value);
        }

        AddMetadata(onnx, "architecture", architecture.Name);
        foreach (var entry in extraMetadata ?? new Dictionary<string, string>())
        {
            AddMetadata(onnx, entry.Key, entry.Value);
        }

        return onnx;
    }

    /// <summary>Writes the model through a temporary file, so a crash never leaves a truncated model.</summary>
    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                model.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static void AddMetadata(ModelProto model, string key, string value) =>
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });

    private static float[] Values(Dictionary<string, Tensor> weights, string name) =>
        weights.TryGetValue(name, out var tensor)
            ? tensor.detach().contiguous().data<float>().ToArray()
            : throw new InvalidOperationException($"The model has no weight '{name}' (its layers do not match the architecture).");
}
