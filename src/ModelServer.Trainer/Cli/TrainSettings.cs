using System.ComponentModel;
using ModelServer.Trainer.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelServer.Trainer.Cli;

public sealed class TrainSettings : CommandSettings
{
    [CommandOption("--data <DIR>")]
    [Description("Folder with one sub-folder of images per class (labels in alphabetical order).")]
    public string? Data { get; init; }

    [CommandOption("--arch <NAME>")]
    [Description("Architecture: classic (the Keras RPS network) or compact (batch norm, global pooling).")]
    [DefaultValue(ArchitectureCatalog.Classic)]
    public string Arch { get; init; } = ArchitectureCatalog.Classic;

    [CommandOption("--epochs <N>")]
    [DefaultValue(15)]
    public int Epochs { get; init; } = 15;

    [CommandOption("--image-size <N>")]
    [Description("Square input size in pixels; images are stretched to it.")]
    [DefaultValue(150)]
    public int ImageSize { get; init; } = 150;

    [CommandOption("--seed <N>")]
    [DefaultValue(42)]
    public int Seed { get; init; } = 42;

    [CommandOption("--batch-size <N>")]
    [DefaultValue(32)]
    public int BatchSize { get; init; } = 32;

    [CommandOption("--val-fraction <F>")]
    [Description("Share of each class's images held out for validation, by whole clips.")]
    [DefaultValue(0.2)]
    public double ValidationFraction { get; init; } = 0.2;

    [CommandOption("--augment <NAME>")]
    [Description("keras: rotation 40°, shifts 0.2, shear 0.2, zoom 0.2, flip, colour jitter; light: half the geometric ranges; none.")]
    [DefaultValue("keras")]
    public string Augment { get; init; } = "keras";

    [CommandOption("--time-limit <MINUTES>")]
    [Description("Stop after the last epoch that is expected to end within this many minutes (the learning-rate schedule still spans --epochs).")]
    public double? TimeLimitMinutes { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Where model.onnx, the logs and the plot go.")]
    [DefaultValue("artifacts/train")]
    public string Out { get; init; } = "artifacts/train";

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Data))
        {
            return ValidationResult.Error("--data is required.");
        }

        if (!ArchitectureCatalog.Names.Contains(Arch.ToLowerInvariant()))
        {
            return ValidationResult.Error($"--arch must be one of: {string.Join(", ", ArchitectureCatalog.Names)}.");
        }

        if (Epochs < 1 || BatchSize < 1 || ImageSize < 16 || ImageSize > 1024)
        {
            return ValidationResult.Error("--epochs and --batch-size must be at least 1, --image-size between 16 and 1024.");
        }

        if (Augment.ToLowerInvariant() is not ("keras" or "light" or "none"))
        {
            return ValidationResult.Error("--augment must be keras, light or none.");
        }

        return ValidationFraction is < 0 or >= 0.9
            ? ValidationResult.Error("--val-fraction must be in [0, 0.9).")
            : ValidationResult.Success();
    }
}
