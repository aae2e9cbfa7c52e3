namespace ModelServer.Trainer.Models;

/// <summary>The architectures <c>train --arch</c> accepts.</summary>
public static class ArchitectureCatalog
{
    public const string Classic = "classic";
    public const string Compact = "compact";
    public const string VggBn = "vggbn";

    public static IReadOnlyList<string> Names { get; } = [Classic, Compact, VggBn];

    /// <exception cref="ArgumentException">Unknown name or an input too small for the network.</exception>
    public static Architecture Create(string name, int imageSize, int classCount)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            Classic => CreateClassic(imageSize, classCount),
            Compact => CreateCompact(imageSize, classCount),
            VggBn => CreateVggBn(imageSize, classCount),
            _ => throw new ArgumentException($"Unknown architecture '{name}'; choose one of: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>
    /// The Keras RPS network: four unpadded 3×3 convolutions (64, 64, 128, 128), each followed by
    /// ReLU and 2×2 max pooling, then dropout 0.5, dense 512 ReLU and dense classes. 3.47 M
    /// parameters at 150×150, almost all of them in the first dense layer.
    /// </summary>
    private static Architecture CreateClassic(int imageSize, int classCount)
    {
        int side = imageSize;
        var layers = new List<LayerSpec>();
        int input = 3;
        foreach (int width in new[] { 64, 64, 128, 128 })
        {
            layers.Add(LayerSpec.Conv(input, width));
            layers.Add(LayerSpec.Relu());
            layers.Add(LayerSpec.MaxPool());
            side = (side - 2) / 2;
            input = width;
            if (side < 1)
            {
                throw new ArgumentException($"Image size {imageSize} is too small for the classic network (at least 46).", nameof(imageSize));
            }
        }

        layers.Add(LayerSpec.Flatten());
        layers.Add(LayerSpec.DropoutLayer(0.5));
        layers.Add(LayerSpec.Linear(input * side * side, 512));
        layers.Add(LayerSpec.Relu());
        layers.Add(LayerSpec.Linear(512, classCount));
        return new Architecture(Classic, "Keras RPS CNN: 4×(conv3×3+ReLU+maxpool2) 64-64-128-128, dropout 0.5, dense 512, dense classes",
            imageSize, layers, OptimizerKind.RmsProp, 1e-3, 0, CosineSchedule: false);
    }

    /// <summary>
    /// A smaller, regularised network for real photos: a strided stem and early pooling (the input
    /// stays 150×150, the first layers just reduce it quickly, which is where most of a CNN's compute
    /// goes), padded 3×3 convolutions with batch norm (24-48-96-144), global average pooling instead
    /// of a large dense layer. About 0.18 M parameters and an eighth of the classic network's compute;
    /// AdamW with a cosine schedule.
    /// </summary>
    private static Architecture CreateCompact(int imageSize, int classCount)
    {
        if (imageSize < 32)
        {
            throw new ArgumentException($"Image size {imageSize} is too small for the compact network (at least 32).", nameof(imageSize));
        }

        var layers = new List<LayerSpec>
        {
            LayerSpec.Conv(3, 24, stride: 2, padding: 1), LayerSpec.BatchNorm(24), LayerSpec.Relu(), LayerSpec.MaxPool(),
            LayerSpec.Conv(24, 48, padding: 1), LayerSpec.BatchNorm(48), LayerSpec.Relu(), LayerSpec.MaxPool(),
            LayerSpec.Conv(48, 96, padding: 1), LayerSpec.BatchNorm(96), LayerSpec.Relu(), LayerSpec.MaxPool(),
            LayerSpec.Conv(96, 144, padding: 1), LayerSpec.BatchNorm(144), LayerSpec.Relu(),
            LayerSpec.GlobalAveragePool(), LayerSpec.Flatten(),
            LayerSpec.DropoutLayer(0.3),
            LayerSpec.Linear(144, classCount),
        };
        return new Architecture(Compact, "conv3x3/2 stem + maxpool, 3 conv3x3 blocks with batch norm (24-48-96-144), global average pooling, dropout 0.3, dense classes",
            imageSize, layers, OptimizerKind.AdamW, 2e-3, 1e-4, CosineSchedule: true);
    }

    /// <summary>
    /// Twice the compact network's width and depth where it is cheap: a strided 32-channel stem and
    /// max pooling (150 → 37), then pairs of padded 3×3 convolutions with batch norm at 64 and 128
    /// channels, one at 256, global average pooling, dropout 0.3 and dense classes. About 0.58 M
    /// parameters and 4× the compact network's compute (~0.18 G multiply-adds per image), still half
    /// the classic one's; AdamW, cosine schedule, label smoothing 0.1. The compact network underfits
    /// real photos (80 % training accuracy after 70 epochs); this one has room to fit them.
    /// </summary>
    private static Architecture CreateVggBn(int imageSize, int classCount)
    {
        if (imageSize < 64)
        {
            throw new ArgumentException($"Image size {imageSize} is too small for the vggbn network (at least 64).", nameof(imageSize));
        }

        var layers = new List<LayerSpec>
        {
            LayerSpec.Conv(3, 32, stride: 2, padding: 1), LayerSpec.BatchNorm(32), LayerSpec.Relu(), LayerSpec.MaxPool(),
            LayerSpec.Conv(32, 64, padding: 1), LayerSpec.BatchNorm(64), LayerSpec.Relu(),
            LayerSpec.Conv(64, 64, padding: 1), LayerSpec.BatchNorm(64), LayerSpec.Relu(), LayerSpec.MaxPool(),
            LayerSpec.Conv(64, 128, padding: 1), LayerSpec.BatchNorm(128), LayerSpec.Relu(),
            LayerSpec.Conv(128, 128, padding: 1), LayerSpec.BatchNorm(128), LayerSpec.Relu(), LayerSpec.MaxPool(),
            LayerSpec.Conv(128, 256, padding: 1), LayerSpec.BatchNorm(256), LayerSpec.Relu(),
            LayerSpec.GlobalAveragePool(), LayerSpec.Flatten(),
            LayerSpec.DropoutLayer(0.3),
            LayerSpec.Linear(256, classCount),
        };
        return new Architecture(VggBn, "conv3x3/2 stem + maxpool, conv3x3+BN pairs 64-64 and 128-128 with maxpool, conv 256, global average pooling, dropout 0.3, dense classes",
            imageSize, layers, OptimizerKind.AdamW, 2e-3, 1e-4, CosineSchedule: true, LabelSmoothing: 0.1);
    }
}
