namespace ModelServer.Trainer.Models;

/// <summary>
/// One layer of a sequential network. The same list builds the TorchSharp module and the ONNX
/// graph, so the two cannot drift apart.
/// </summary>
public sealed record LayerSpec(LayerKind Kind, int In = 0, int Out = 0, int Kernel = 0, int Stride = 1, int Padding = 0, double Dropout = 0)
{
    public static LayerSpec Conv(int input, int output, int kernel = 3, int stride = 1, int padding = 0) =>
        new(LayerKind.Conv, input, output, kernel, stride, padding);

    public static LayerSpec BatchNorm(int channels) => new(LayerKind.BatchNorm, channels, channels);

    public static LayerSpec Relu() => new(LayerKind.Relu);

    public static LayerSpec MaxPool(int kernel = 2) => new(LayerKind.MaxPool, Kernel: kernel, Stride: kernel);

    public static LayerSpec GlobalAveragePool() => new(LayerKind.GlobalAveragePool);

    public static LayerSpec Flatten() => new(LayerKind.Flatten);

    public static LayerSpec DropoutLayer(double p) => new(LayerKind.Dropout, Dropout: p);

    public static LayerSpec Linear(int input, int output) => new(LayerKind.Linear, input, output);
}
