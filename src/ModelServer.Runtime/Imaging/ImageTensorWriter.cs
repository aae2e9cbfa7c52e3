using System.Buffers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelServer.Runtime.Imaging;

/// <summary>Writes one resized RGB image as floats into a caller-owned tensor slice, no copies in between.</summary>
public static class ImageTensorWriter
{
    /// <summary>Writes <paramref name="image"/>, already of the input size, into <paramref name="destination"/>.</summary>
    public static void Write(Image<Rgb24> image, ImagePreprocessing preprocessing, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (image.Width != preprocessing.Width || image.Height != preprocessing.Height)
        {
            throw new ArgumentException(
                $"The image is {image.Width}x{image.Height}; resize it to {preprocessing.Width}x{preprocessing.Height} first.", nameof(image));
        }

        int bytes = preprocessing.ElementCount;
        byte[] rented = ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            image.CopyPixelDataTo(rented.AsSpan(0, bytes));
            Write(rented.AsSpan(0, bytes), preprocessing, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes interleaved RGB bytes (row-major, height × width × 3) of the input size.</summary>
    public static void Write(ReadOnlySpan<byte> rgb, ImagePreprocessing preprocessing, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        int pixels = preprocessing.Width * preprocessing.Height;
        const int C = ImagePreprocessing.Channels;
        if (rgb.Length != pixels * C)
        {
            throw new ArgumentException($"Expected {pixels * C} RGB bytes, got {rgb.Length}.", nameof(rgb));
        }

        if (destination.Length < pixels * C)
        {
            throw new ArgumentException($"The destination holds {destination.Length} floats; one image needs {pixels * C}.", nameof(destination));
        }

        // Fold scale, mean and std into one multiply-add per value: v * a[c] + b[c].
        Span<float> a = stackalloc float[C];
        Span<float> b = stackalloc float[C];
        for (int c = 0; c < C; c++)
        {
            int source = preprocessing.ColorOrder == ColorOrder.Rgb ? c : C - 1 - c;
            a[c] = (float)(preprocessing.Scale / preprocessing.Std[source]);
            b[c] = -preprocessing.Mean[source] / preprocessing.Std[source];
        }

        bool bgr = preprocessing.ColorOrder == ColorOrder.Bgr;
        if (preprocessing.Layout == TensorLayout.Nhwc)
        {
            for (int p = 0; p < pixels; p++)
            {
                int i = p * C;
                for (int c = 0; c < C; c++)
                {
                    byte v = rgb[i + (bgr ? C - 1 - c : c)];
                    destination[i + c] = (v * a[c]) + b[c];
                }
            }
        }
        else
        {
            for (int c = 0; c < C; c++)
            {
                Span<float> plane = destination.Slice(c * pixels, pixels);
                int channel = bgr ? C - 1 - c : c;
                for (int p = 0; p < pixels; p++)
                {
                    plane[p] = (rgb[(p * C) + channel] * a[c]) + b[c];
                }
            }
        }
    }
}
