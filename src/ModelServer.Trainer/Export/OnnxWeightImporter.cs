using System.Globalization;
using System.Runtime.InteropServices;
using ModelServer.Runtime.Imaging;
using ModelServer.Trainer.Models;
using Onnx;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Export;

/// <summary>
/// Rebuilds the TorchSharp network of a model this trainer exported: the architecture comes from
/// the metadata, the weights from the initializers (named like the state dictionary's entries).
/// Lets <c>benchmark</c> compare both runtimes on exactly the published weights.
/// </summary>
public static class OnnxWeightImporter
{
    public static (Models.Architecture Architecture, nn.Module<Tensor, Tensor> Model) Import(ModelProto onnx)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        var metadata = onnx.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        if (!metadata.TryGetValue("architecture", out string? name) || !metadata.TryGetValue(ImageMetadataKeys.ImageSize, out string? size)
            || !metadata.TryGetValue(ImageMetadataKeys.Labels, out string? labels))
        {
            throw new InvalidDataException("The model was not exported by this trainer (no architecture, image_size or labels metadata).");
        }

        var architecture = ArchitectureCatalog.Create(name, int.Parse(size, CultureInfo.InvariantCulture), labels.Split(',').Length);
        var model = NetworkBuilder.Build(architecture);
        var initializers = onnx.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var (key, tensor) in model.state_dict())
            {
                if (key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                {
                    continue;
                }

                if (!initializers.TryGetValue(key, out var initializer))
                {
                    throw new InvalidDataException($"The model has no initializer '{key}' for architecture '{name}'.");
                }

                float[] values = MemoryMarshal.Cast<byte, float>(initializer.RawData.Span).ToArray();
                if (values.Length != tensor.numel())
                {
                    throw new InvalidDataException($"Initializer '{key}' has {values.Length} values, the network expects {tensor.numel()}.");
                }

                tensor.copy_(from_array(values).reshape(tensor.shape));
            }
        }

        model.eval();
        return (architecture, model);
    }
}
