using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Imaging;

/// <summary>
/// What a loaded model says about images and classes: its preprocessing and which input takes images (from the
/// ONNX <c>metadata_props</c>, overridden key by key by the model folder's <c>config.json</c> "preprocessing"),
/// and its class labels (config.json "labels", else metadata <c>labels</c>, else <c>labels.txt</c> beside
/// model.onnx). Read once per loaded model and kept as long as the model (weakly keyed on it).
/// </summary>
public sealed class ImageModelInfo
{
    /// <summary>Optional metadata/config key naming the image input when the shape alone does not tell.</summary>
    public const string ImageInputKey = "image_input";

    public const string LabelsFileName = "labels.txt";

    private static readonly ConditionalWeakTable<OnnxModel, ImageModelInfo> Cache = [];

    private ImageModelInfo(ImagePreprocessing? preprocessing, string? imageInput, IReadOnlyList<string>? labels, string? problem)
    {
        Preprocessing = preprocessing;
        ImageInput = imageInput;
        ImageInputs = imageInput is null ? new HashSet<string>() : new HashSet<string>(StringComparer.Ordinal) { imageInput };
        Labels = labels;
        Problem = problem;
    }

    /// <summary>Null when the model declares no image preprocessing.</summary>
    public ImagePreprocessing? Preprocessing { get; }

    /// <summary>The float input that takes images; null when the model has none.</summary>
    public string? ImageInput { get; }

    /// <summary><see cref="ImageInput"/> as a set (empty when none), for readers that ask per input.</summary>
    public IReadOnlySet<string> ImageInputs { get; }

    /// <summary>Class names by index; null when the model has none.</summary>
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>Why the model has no usable image input, for the error a client gets when it sends one.</summary>
    public string? Problem { get; }

    public static ImageModelInfo For(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Cache.GetValue(model, static m => Read(m.Metadata, m.Signature, m.Path));
    }

    /// <summary>Reads the info of a model whose file is <paramref name="modelPath"/> (config.json is two folders up).</summary>
    public static ImageModelInfo Read(IReadOnlyDictionary<string, string> metadata, ModelSignature signature, string modelPath)
    {
        var merged = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        List<string>? configLabels = null;
        try
        {
            ReadConfig(modelPath, merged, ref configLabels);
        }
        catch (Exception ex) when (ex is JsonException or IOException or FormatException or UnauthorizedAccessException)
        {
            return new ImageModelInfo(null, null, null, $"the model's config.json cannot be read: {ex.Message}");
        }

        var labels = configLabels ?? LabelsFrom(merged) ?? LabelsFile(modelPath);
        ImagePreprocessing? preprocessing;
        try
        {
            preprocessing = ImagePreprocessing.FromMetadata(merged);
        }
        catch (FormatException ex)
        {
            return new ImageModelInfo(null, null, labels, $"the model's image preprocessing is malformed: {ex.Message}");
        }

        if (preprocessing is null)
        {
            return new ImageModelInfo(null, null, labels,
                $"the model declares no image input (no '{ImageMetadataKeys.ImageSize}' in its ONNX metadata_props or config.json \"preprocessing\")");
        }

        merged.TryGetValue(ImageInputKey, out var named);
        var input = FindImageInput(signature, preprocessing, named, out var problem);
        return new ImageModelInfo(input is null ? null : preprocessing, input, labels, problem);
    }

    private static string? FindImageInput(ModelSignature signature, ImagePreprocessing p, string? named, out string? problem)
    {
        problem = null;
        long[] expected = p.Layout == TensorLayout.Nhwc
            ? [-1, p.Height, p.Width, ImagePreprocessing.Channels]
            : [-1, ImagePreprocessing.Channels, p.Height, p.Width];
        foreach (var spec in signature.Inputs)
        {
            if (named is not null && spec.Name != named)
            {
                continue;
            }

            if (spec.DataType == TensorDataType.Float && TensorShape.IsCompatible(expected, spec.Shape))
            {
                return spec.Name;
            }
        }

        problem = $"no float input of shape {TensorShape.Format(expected)} ({p.Layout}, {p.Width}x{p.Height} from the preprocessing)"
                  + (named is null ? string.Empty : $" named '{named}'") + " in the model's signature";
        return null;
    }

    private static void ReadConfig(string modelPath, Dictionary<string, string> merged, ref List<string>? labels)
    {
        var modelFolder = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(modelPath)));
        var file = modelFolder is null ? null : Path.Combine(modelFolder, "config.json");
        if (file is null || !File.Exists(file))
        {
            return;
        }

        // A small file read once per loaded model: a DOM is the simple tool here.
        using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (document.RootElement.TryGetProperty("preprocessing", out var preprocessing) && preprocessing.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in preprocessing.EnumerateObject())
            {
                merged[property.Name == "input" ? ImageInputKey : property.Name] = ToText(property.Value);
            }
        }

        if (document.RootElement.TryGetProperty("labels", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            labels = [.. list.EnumerateArray().Select(v => v.GetString() ?? throw new FormatException("config.json \"labels\" must hold strings"))];
        }
    }

    private static string ToText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(ToText)),
        _ => throw new FormatException($"config.json preprocessing values must be strings, numbers or lists of numbers, got {value.ValueKind}"),
    };

    private static List<string>? LabelsFrom(Dictionary<string, string> metadata)
        => metadata.TryGetValue(ImageMetadataKeys.Labels, out var text) && !string.IsNullOrWhiteSpace(text)
            ? [.. text.Split(',', StringSplitOptions.TrimEntries)]
            : null;

    private static List<string>? LabelsFile(string modelPath)
    {
        var file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", LabelsFileName);
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            List<string> lines = [.. File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0)];
            return lines.Count > 0 ? lines : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ImageInput ?? "(no image input)"} {Preprocessing}");
}
