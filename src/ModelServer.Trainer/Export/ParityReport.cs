namespace ModelServer.Trainer.Export;

/// <summary>How far ONNX Runtime's outputs are from TorchSharp's on the same images.</summary>
public sealed record ParityReport(int Images, double MaxProbabilityDifference, double MaxLogitDifference, double Tolerance)
{
    public bool Passed => MaxProbabilityDifference <= Tolerance && MaxLogitDifference <= Tolerance;
}
