namespace ModelServer.Trainer.Transfer;

/// <summary>
/// The <c>train --arch</c> names that train a head on a frozen pretrained backbone (<c>--backbone</c>) instead of a
/// network from scratch.
/// </summary>
public static class TransferArchitectures
{
    /// <summary>
    /// ResNet-18's first three stages (ImageNet weights, frozen); stages 2 and 3 each pooled by average and by maximum
    /// (768 features), standardised, dense classes. 11 MB, about 0.65 G multiply-adds per 150×150 image.
    /// </summary>
    public const string ResNet18Stage3 = "resnet18-s3";

    /// <summary>The whole ResNet-18 (ImageNet weights, frozen), global average pooling, dense classes.</summary>
    public const string ResNet18 = "resnet18";

    /// <summary>The whole ResNet-18 (frozen); stages 2, 3 and 4 each pooled by average and by maximum, concatenated.</summary>
    public const string ResNet18Multi = "resnet18-multi";

    /// <summary>
    /// MediaPipe's hand landmark network (frozen, converted from TensorFlow Lite): its last feature map pooled by
    /// average and by maximum (2,304 features), standardised, dense classes. 224×224 is the size it was trained at.
    /// </summary>
    public const string HandLandmark = "hand-landmark";

    /// <summary>
    /// <see cref="HandLandmark"/> run twice: the first pass finds the hand's direction, the image is turned so the
    /// hand points up (as MediaPipe does before its landmark network), and the head reads the second pass.
    /// </summary>
    public const string HandLandmarkUpright = "hand-landmark-upright";

    public static IReadOnlyList<string> Names { get; } = [ResNet18Stage3, ResNet18, ResNet18Multi, HandLandmark, HandLandmarkUpright];

    /// <summary>Whether the architecture's backbone is MediaPipe's hand landmark network rather than ResNet-18.</summary>
    public static bool IsHandLandmark(string name) =>
        string.Equals(name, HandLandmark, StringComparison.OrdinalIgnoreCase) || string.Equals(name, HandLandmarkUpright, StringComparison.OrdinalIgnoreCase);

    public static bool IsTransfer(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Which stages the head reads, and how they are pooled.</summary>
    public static FeatureTaps Taps(string name) => name.ToLowerInvariant() switch
    {
        ResNet18Stage3 => new FeatureTaps([128, 256], MaxPool: true),
        ResNet18 => new FeatureTaps([512], MaxPool: false),
        ResNet18Multi => new FeatureTaps([128, 256, 512], MaxPool: true),
        HandLandmark or HandLandmarkUpright => new FeatureTaps([1152], MaxPool: true),
        _ => throw new ArgumentException($"'{name}' is not a transfer architecture.", nameof(name)),
    };

    public static string Describe(string name) => name.ToLowerInvariant() switch
    {
        ResNet18Stage3 => "ImageNet ResNet-18 stages 1-3 (frozen, ML.NET's CNTK export), stages 2 and 3 each pooled by average and maximum, standardised, dropout 0.3, dense classes",
        ResNet18 => "ImageNet ResNet-18 (frozen, ML.NET's CNTK export), global average pooling, standardised, dropout 0.3, dense classes",
        HandLandmarkUpright => "MediaPipe hand landmark network (frozen, hand_landmark_full.tflite converted to ONNX) run twice: the first pass's wrist and middle knuckle turn the image so the hand points up, the second pass's last feature map is pooled by average and maximum, standardised, dropout 0.3, dense classes",
        HandLandmark => "MediaPipe hand landmark network (frozen, hand_landmark_full.tflite converted to ONNX), last feature map pooled by average and maximum, standardised, dropout 0.3, dense classes",
        _ => "ImageNet ResNet-18 (frozen, ML.NET's CNTK export), stages 2-4 each pooled by average and maximum, standardised, dropout 0.3, dense classes",
    };

    /// <summary>
    /// The backbone file <c>tools/backbones</c> restores (NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, MIT):
    /// under NUGET_PACKAGES if set, else ~/.nuget/packages.
    /// </summary>
    public static string DefaultBackbonePath(string name) =>
        IsHandLandmark(name) ? DefaultHandLandmarkPath() : DefaultBackbonePath();

    /// <summary>
    /// Where <c>npm ci --prefix tools/backbones</c> puts MediaPipe's hand landmark network (npm package
    /// @mediapipe/hands 0.4.1675469240, Apache-2.0): under the first <c>tools/backbones</c> found from the current
    /// folder upwards, else relative to the current folder.
    /// </summary>
    public static string DefaultHandLandmarkPath()
    {
        const string relative = "tools/backbones/node_modules/@mediapipe/hands/hand_landmark_full.tflite";
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(relative);
    }

    public static string DefaultBackbonePath()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(root, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
    }
}
