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
}
