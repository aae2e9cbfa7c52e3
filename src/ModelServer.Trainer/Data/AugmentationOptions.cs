namespace ModelServer.Trainer.Data;

/// <summary>
/// Random training-time transforms. The geometric ones follow the Keras RPS example
/// (rotation 40°, shifts 0.2, shear 0.2, zoom 0.2, horizontal flip, nearest fill); brightness and
/// contrast jitter are added because real photos vary in exposure far more than the CGI set.
/// Saturation jitter and random greyscale (the <c>photo</c> preset) are for colour: the hand photos
/// include greyscale and tinted frames, and skin and background colours vary between people and rooms.
/// </summary>
public sealed record AugmentationOptions(
    double RotationDegrees = 40,
    double WidthShift = 0.2,
    double HeightShift = 0.2,
    double ShearRadians = 0.2,
    double Zoom = 0.2,
    bool HorizontalFlip = true,
    double Brightness = 0.2,
    double Contrast = 0.2,
    double Saturation = 0,
    double GrayscaleProbability = 0)
{
    public static AugmentationOptions None { get; } = new(0, 0, 0, 0, 0, false, 0, 0);

    /// <summary>The Keras example's geometry plus colour jitter (the default).</summary>
    public static AugmentationOptions Keras { get; } = new();

    /// <summary>
    /// Half the geometric ranges. For short runs: on a starved CPU (a few hundred optimizer steps)
    /// the full ranges leave the network underfitting, and the photos are already centred crops.
    /// </summary>
    public static AugmentationOptions Light { get; } = new(RotationDegrees: 20, WidthShift: 0.1, HeightShift: 0.1, ShearRadians: 0.1, Zoom: 0.15);

    /// <summary>The Keras geometry and colour jitter, plus saturation ±40 % and greyscale for one image in six.</summary>
    public static AugmentationOptions Photo { get; } = new(Saturation: 0.4, GrayscaleProbability: 1.0 / 6);

    /// <summary>
    /// <see cref="Photo"/> with rotations up to ±90°: some clips show the hand sideways (a scissors sample held
    /// horizontally is called paper), which ±40° never shows the network.
    /// </summary>
    public static AugmentationOptions PhotoTurn { get; } = Photo with { RotationDegrees = 90 };

    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static AugmentationOptions Named(string name) => name.ToLowerInvariant() switch
    {
        "keras" => Keras,
        "light" => Light,
        "photo" => Photo,
        "photo-turn" => PhotoTurn,
        "none" => None,
        _ => throw new ArgumentException($"Unknown augmentation '{name}' (keras, photo, photo-turn, light, none).", nameof(name)),
    };
}
