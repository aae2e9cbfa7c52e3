namespace ModelServer.Trainer.Export;

/// <summary>
/// How far ONNX Runtime's outputs are from TorchSharp's on the same images: probabilities absolutely, logits
/// relative to their size (at least 1). Logits are unbounded and float32 convolutions summed in a different order
/// drift with them: two fine-tuned stages of the synthetic test backbone put the logits 2.6e-4 apart while the
/// probabilities agreed to 6e-7.
/// </summary>
public sealed record ParityReport(int Images, double MaxProbabilityDifference, double MaxLogitDifference, double Tolerance)
{
    public bool Passed => MaxProbabilityDifference <= Tolerance && MaxLogitDifference <= Tolerance;

    /// <exception cref="InvalidOperationException">The export differs by more than the tolerance; nothing is written.</exception>
    public void ThrowIfFailed()
    {
        if (!Passed)
        {
            throw new InvalidOperationException(
                $"Export check failed: ONNX Runtime differs from TorchSharp by {MaxProbabilityDifference:G3} (probabilities) / "
                + $"{MaxLogitDifference:G3} (logits, relative), over the tolerance {Tolerance:G3}. No model written.");
        }
    }

    /// <summary>
    /// Largest element-wise difference, divided by max(1, |b|) when <paramref name="relative"/>; infinity for a length
    /// mismatch or a NaN.
    /// </summary>
    public static double MaxDifference(float[] a, float[] b, bool relative = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length)
        {
            return double.PositiveInfinity;
        }

        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs(a[i] - b[i]) / (relative ? Math.Max(1.0, Math.Abs(b[i])) : 1.0);
            max = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(max, d);
        }

        return max;
    }
}
