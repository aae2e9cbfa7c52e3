namespace ModelServer.Trainer.Data;

/// <summary>
/// Random training-time transforms. The geometric ones follow the Keras RPS example
/// (rotation 40°, shifts 0.2, shear 0.2, zoom 0.2, horizontal flip, nearest fill); brightness and
/// contrast jitter are added because real photos vary in exposure far more than the CGI set.
/// </summary>
public sealed record AugmentationOptions(
    double RotationDegrees = 40,
    double WidthShift = 0.2,
    double HeightShift = 0.2,
    double ShearRadians = 0.2,
    double Zoom = 0.2,
    bool HorizontalFlip = true,
    double Brightness = 0.2,
    double Contrast = 0.2)
{
    public static AugmentationOptions None { get; } = new(0, 0, 0, 0, 0, false, 0, 0);

    /// <summary>The Keras example's geometry plus colour jitter (the default).</summary>
    public static AugmentationOptions Keras { get; } = new();

    /// <summary>
    /// Half the geometric ranges. For short runs: on a starved CPU (a few hundred optimizer steps)
    /// the full ranges leave the network underfitting, and the photos are already centred crops.
    /// </summary>
    public static AugmentationOptions Light { get; } = new(RotationDegrees: 20, WidthShift: 0.1, HeightShift: 0.1, ShearRadians: 0.1, Zoom: 0.15);

    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static AugmentationOptions Named(string name) => name.ToLowerInvariant() switch
    {
        "keras" => Keras,
        "light" => Light,
        "none" => None,
        _ => throw new ArgumentException($"Unknown augmentation '{name}' (keras, light, none).", nameof(name)),
    };
}
