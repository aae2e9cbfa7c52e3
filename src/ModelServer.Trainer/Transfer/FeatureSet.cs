namespace ModelServer.Trainer.Transfer;

/// <summary>Backbone features, row-major <c>[Count, Width]</c>, with one label per row.</summary>
public sealed record FeatureSet(float[] Values, long[] Labels, int Width)
{
    public int Count => Labels.Length;

    /// <summary>Per-feature mean and standard deviation (at least 0.01: features that barely vary would otherwise be blown up, noise and all).</summary>
    public (float[] Mean, float[] Std) Statistics()
    {
        var mean = new double[Width];
        var square = new double[Width];
        for (int r = 0; r < Count; r++)
        {
            for (int f = 0; f < Width; f++)
            {
                double v = Values[((long)r * Width) + f];
                mean[f] += v;
                square[f] += v * v;
            }
        }

        var m = new float[Width];
        var s = new float[Width];
        for (int f = 0; f < Width; f++)
        {
            double mu = mean[f] / Math.Max(1, Count);
            m[f] = (float)mu;
            s[f] = (float)Math.Max(1e-2, Math.Sqrt(Math.Max(0, (square[f] / Math.Max(1, Count)) - (mu * mu))));
        }

        return (m, s);
    }

    /// <summary>A copy of the rows at <paramref name="rows"/>, in that order.</summary>
    public FeatureSet Rows(int[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var values = new float[(long)rows.Length * Width];
        var labels = new long[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            Values.AsSpan(checked((int)((long)rows[r] * Width)), Width).CopyTo(values.AsSpan(checked((int)((long)r * Width)), Width));
            labels[r] = Labels[rows[r]];
        }

        return new FeatureSet(values, labels, Width);
    }

    /// <summary>A copy with every row standardised by <paramref name="mean"/> and <paramref name="std"/>.</summary>
    public FeatureSet Standardize(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        var values = new float[Values.Length];
        for (long i = 0; i < values.Length; i++)
        {
            int f = (int)(i % Width);
            values[i] = (Values[i] - mean[f]) / std[f];
        }

        return this with { Values = values };
    }
}
