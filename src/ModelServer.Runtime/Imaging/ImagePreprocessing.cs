using System.Globalization;

namespace ModelServer.Runtime.Imaging;

/// <summary>
/// How an image becomes one model input: resize (stretched, no aspect-preserving crop, like Keras'
/// <c>flow_from_directory</c>) to <see cref="Width"/>×<see cref="Height"/>, then per channel
/// <c>(pixel * Scale - Mean[c]) / Std[c]</c> in <see cref="ColorOrder"/>, written in <see cref="Layout"/>.
/// </summary>
public sealed record ImagePreprocessing(
    int Width,
    int Height,
    TensorLayout Layout,
    double Scale,
    float[] Mean,
    float[] Std,
    ColorOrder ColorOrder,
    ImageResampler Resampler)
{
    public const int Channels = 3;

    /// <summary>Pixels scaled to [0,1], RGB, NHWC, bilinear: what the trainer's models expect.</summary>
    public static ImagePreprocessing UnitScaleRgb(int size, TensorLayout layout = TensorLayout.Nhwc) =>
        new(size, size, layout, 1.0 / 255.0, [0f, 0f, 0f], [1f, 1f, 1f], ColorOrder.Rgb, ImageResampler.Bilinear);

    /// <summary>Floats in one image tensor.</summary>
    public int ElementCount => Width * Height * Channels;

    /// <summary>
    /// Reads the preprocessing a model declares in its metadata; null when the model declares no
    /// image input size (it is then not an image model). Missing optional keys take the defaults
    /// of <see cref="UnitScaleRgb"/>.
    /// </summary>
    /// <exception cref="FormatException">A key is present but its value is malformed.</exception>
    public static ImagePreprocessing? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        int? size = ReadInt(metadata, ImageMetadataKeys.ImageSize);
        int? width = ReadInt(metadata, ImageMetadataKeys.ImageWidth) ?? size;
        int? height = ReadInt(metadata, ImageMetadataKeys.ImageHeight) ?? size;
        if (width is null || height is null)
        {
            return null;
        }

        var layout = metadata.TryGetValue(ImageMetadataKeys.Layout, out string? l)
            ? ParseEnum<TensorLayout>(ImageMetadataKeys.Layout, l)
            : TensorLayout.Nhwc;
        var order = metadata.TryGetValue(ImageMetadataKeys.ColorOrder, out string? c)
            ? ParseEnum<ColorOrder>(ImageMetadataKeys.ColorOrder, c)
            : ColorOrder.Rgb;
        var resampler = metadata.TryGetValue(ImageMetadataKeys.Resize, out string? r)
            ? ParseResampler(r)
            : ImageResampler.Bilinear;
        double scale = metadata.TryGetValue(ImageMetadataKeys.Scale, out string? s) ? ParseDouble(ImageMetadataKeys.Scale, s) : 1.0 / 255.0;
        float[] mean = metadata.TryGetValue(ImageMetadataKeys.Mean, out string? m) ? ParseTriple(ImageMetadataKeys.Mean, m) : [0f, 0f, 0f];
        float[] std = metadata.TryGetValue(ImageMetadataKeys.Std, out string? d) ? ParseTriple(ImageMetadataKeys.Std, d) : [1f, 1f, 1f];
        if (std.Any(v => v == 0f))
        {
            throw new FormatException($"Metadata '{ImageMetadataKeys.Std}' must not contain 0.");
        }

        return new ImagePreprocessing(width.Value, height.Value, layout, scale, mean, std, order, resampler);
    }

    /// <summary>The metadata entries that <see cref="FromMetadata"/> reads back into this value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToMetadata()
    {
        var entries = new List<KeyValuePair<string, string>>();
        if (Width == Height)
        {
            entries.Add(new(ImageMetadataKeys.ImageSize, Width.ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            entries.Add(new(ImageMetadataKeys.ImageWidth, Width.ToString(CultureInfo.InvariantCulture)));
            entries.Add(new(ImageMetadataKeys.ImageHeight, Height.ToString(CultureInfo.InvariantCulture)));
        }

        entries.Add(new(ImageMetadataKeys.Layout, Layout.ToString().ToUpperInvariant()));
        // Round-trip format: the value reads back exactly (1/255 is "0.00392156862745098").
        entries.Add(new(ImageMetadataKeys.Scale, Scale.ToString("R", CultureInfo.InvariantCulture)));
        entries.Add(new(ImageMetadataKeys.Mean, FormatTriple(Mean)));
        entries.Add(new(ImageMetadataKeys.Std, FormatTriple(Std)));
        entries.Add(new(ImageMetadataKeys.ColorOrder, ColorOrder.ToString().ToUpperInvariant()));
        entries.Add(new(ImageMetadataKeys.Resize, ResamplerName(Resampler)));
        return entries;
    }

    public static string ResamplerName(ImageResampler resampler) => resampler switch
    {
        ImageResampler.Bilinear => "bilinear",
        ImageResampler.Bicubic => "bicubic",
        ImageResampler.NearestNeighbor => "nearest",
        _ => throw new ArgumentOutOfRangeException(nameof(resampler)),
    };

    private static ImageResampler ParseResampler(string value) => value.Trim().ToLowerInvariant() switch
    {
        "bilinear" or "triangle" => ImageResampler.Bilinear,
        "bicubic" => ImageResampler.Bicubic,
        "nearest" or "nearestneighbor" => ImageResampler.NearestNeighbor,
        _ => throw new FormatException($"Metadata '{ImageMetadataKeys.Resize}' has unknown resampler '{value}' (bilinear, bicubic, nearest)."),
    };

    private static int? ReadInt(IReadOnlyDictionary<string, string> metadata, string key)
    {
        if (!metadata.TryGetValue(key, out string? text))
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value <= 0)
        {
            throw new FormatException($"Metadata '{key}' must be a positive integer, got '{text}'.");
        }

        return value;
    }

    private static TEnum ParseEnum<TEnum>(string key, string text)
        where TEnum : struct, Enum =>
        Enum.TryParse(text.Trim(), ignoreCase: true, out TEnum value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"Metadata '{key}' has unknown value '{text}' ({string.Join(", ", Enum.GetNames<TEnum>())}).");

    private static float ParseFloat(string key, string text) => (float)ParseDouble(key, text);

    private static double ParseDouble(string key, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new FormatException($"Metadata '{key}' must be a number, got '{text}'.");

    private static float[] ParseTriple(string key, string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 1)
        {
            float v = ParseFloat(key, parts[0]);
            return [v, v, v];
        }

        if (parts.Length != Channels)
        {
            throw new FormatException($"Metadata '{key}' must hold 1 or {Channels} comma-separated numbers, got '{text}'.");
        }

        return [.. parts.Select(p => ParseFloat(key, p))];
    }

    private static string FormatTriple(float[] values) =>
        string.Join(',', values.Select(v => ((double)v).ToString("R", CultureInfo.InvariantCulture)));
}
