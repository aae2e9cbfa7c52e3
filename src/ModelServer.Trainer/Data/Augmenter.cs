namespace ModelServer.Trainer.Data;

/// <summary>
/// Applies a random affine transform (bilinear sampling, borders filled with the nearest edge
/// pixel like Keras' fill_mode="nearest"), flip and colour jitter to one square RGB image.
/// All randomness comes from the caller's <see cref="Random"/>, so a seed fixes every image.
/// </summary>
public sealed class Augmenter(AugmentationOptions options)
{
    public void Apply(ReadOnlySpan<byte> source, Span<byte> destination, int size, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        const int C = 3;
        double theta = Uniform(random, options.RotationDegrees) * Math.PI / 180.0;
        double tx = Uniform(random, options.WidthShift) * size;
        double ty = Uniform(random, options.HeightShift) * size;
        double shear = Uniform(random, options.ShearRadians);
        double zx = 1 + Uniform(random, options.Zoom);
        double zy = 1 + Uniform(random, options.Zoom);
        bool flip = options.HorizontalFlip && random.NextDouble() < 0.5;
        double brightness = Uniform(random, options.Brightness) * 255.0;
        double contrast = 1 + Uniform(random, options.Contrast);
        // Drawn only when enabled, so presets without colour jitter keep their random sequence
        // (and a seed keeps reproducing the models trained before these options existed).
        double saturation = 1 + Uniform(random, options.Saturation);
        if (options.GrayscaleProbability > 0 && random.NextDouble() < options.GrayscaleProbability)
        {
            saturation = 0;
        }

        // Forward map M = Rotation · Shear · Zoom about the centre; sample with its inverse.
        double cos = Math.Cos(theta), sin = Math.Sin(theta);
        double m00 = cos * zx, m01 = ((cos * Math.Tan(shear)) - sin) * zy;
        double m10 = sin * zx, m11 = ((sin * Math.Tan(shear)) + cos) * zy;
        double det = (m00 * m11) - (m01 * m10);
        double i00 = m11 / det, i01 = -m01 / det, i10 = -m10 / det, i11 = m00 / det;
        double centre = (size - 1) / 2.0;
        double mean = contrast == 1 ? 0 : Mean(source);
        Span<double> rgb = stackalloc double[C];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double dx = (flip ? size - 1 - x : x) - centre - tx;
                double dy = y - centre - ty;
                double sx = Math.Clamp((i00 * dx) + (i01 * dy) + centre, 0, size - 1);
                double sy = Math.Clamp((i10 * dx) + (i11 * dy) + centre, 0, size - 1);
                int x0 = (int)sx, y0 = (int)sy;
                int x1 = Math.Min(x0 + 1, size - 1), y1 = Math.Min(y0 + 1, size - 1);
                double fx = sx - x0, fy = sy - y0;
                int o = ((y * size) + x) * C;
                for (int c = 0; c < C; c++)
                {
                    double top = (source[(((y0 * size) + x0) * C) + c] * (1 - fx)) + (source[(((y0 * size) + x1) * C) + c] * fx);
                    double bottom = (source[(((y1 * size) + x0) * C) + c] * (1 - fx)) + (source[(((y1 * size) + x1) * C) + c] * fx);
                    double v = (top * (1 - fy)) + (bottom * fy);
                    rgb[c] = ((v - mean) * contrast) + mean + brightness;
                }

                if (saturation != 1)
                {
                    // Rec. 601 luma; saturation 0 is greyscale, above 1 more vivid.
                    double luma = (0.299 * rgb[0]) + (0.587 * rgb[1]) + (0.114 * rgb[2]);
                    for (int c = 0; c < C; c++)
                    {
                        rgb[c] = luma + ((rgb[c] - luma) * saturation);
                    }
                }

                for (int c = 0; c < C; c++)
                {
                    destination[o + c] = (byte)Math.Clamp(Math.Round(rgb[c]), 0, 255);
                }
            }
        }
    }

    private static double Uniform(Random random, double range) => range == 0 ? 0 : ((random.NextDouble() * 2) - 1) * range;

    private static double Mean(ReadOnlySpan<byte> pixels)
    {
        long sum = 0;
        foreach (byte b in pixels)
        {
            sum += b;
        }

        return (double)sum / pixels.Length;
    }
}
