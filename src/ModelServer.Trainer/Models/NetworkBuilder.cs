using TorchSharp;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Models;

/// <summary>Builds the TorchSharp module for an <see cref="Architecture"/>: one child per <see cref="LayerSpec"/>.</summary>
public static class NetworkBuilder
{
    public static nn.Module<Tensor, Tensor> Build(Architecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < architecture.Layers.Count; i++)
        {
            var layer = architecture.Layers[i];
            nn.Module<Tensor, Tensor> module = layer.Kind switch
            {
                LayerKind.Conv => nn.Conv2d(layer.In, layer.Out, layer.Kernel, stride: layer.Stride, padding: layer.Padding),
                LayerKind.BatchNorm => nn.BatchNorm2d(layer.Out),
                LayerKind.Relu => nn.ReLU(),
                LayerKind.MaxPool => nn.MaxPool2d(layer.Kernel, layer.Stride),
                LayerKind.GlobalAveragePool => nn.AdaptiveAvgPool2d(1),
                LayerKind.Flatten => nn.Flatten(),
                LayerKind.Dropout => nn.Dropout(layer.Dropout),
                LayerKind.Linear => nn.Linear(layer.In, layer.Out),
                _ => throw new NotSupportedException($"Layer kind {layer.Kind} has no TorchSharp module."),
            };
            modules.Add(($"{i}_{layer.Kind.ToString().ToLowerInvariant()}", module));
        }

        return nn.Sequential(modules);
    }
}
