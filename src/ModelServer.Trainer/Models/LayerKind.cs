namespace ModelServer.Trainer.Models;

/// <summary>The layer types the trainer builds and the ONNX exporter knows how to write.</summary>
public enum LayerKind
{
    Conv,
    BatchNorm,
    Relu,
    MaxPool,
    GlobalAveragePool,
    Flatten,
    Dropout,
    Linear,
}
