using System.ComponentModel;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Models;
using ModelServer.Trainer.Transfer;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelServer.Trainer.Cli;

public sealed class TrainSettings : CommandSettings
{
    [CommandOption("--data <DIR>")]
    [Description("Folder with one sub-folder of images per class (labels in alphabetical order).")]
    public string? Data { get; init; }

    [CommandOption("--arch <NAME>")]
    [Description("Architecture: classic (the Keras RPS network), compact (batch norm, global pooling), vggbn (deeper and wider compact), or a head on a frozen pretrained backbone: resnet18-s3 (ResNet-18 stages 1-3), resnet18, resnet18-multi, hand-landmark (MediaPipe's hand landmark network), hand-landmark-upright (the same, with the hand turned upright first; the shipped recipe); use --image-size 224 with these two.")]
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
    [Description("Share of each class's images held out for validation, by whole clips (default 0.2; 0 with --folds).")]
    public double? ValidationFraction { get; init; }

    [CommandOption("--folds <K>")]
    [Description("Transfer architectures: first estimate accuracy by K-fold cross-validation over whole clips, or what --fold-by names (every photo scored once by a head that never saw its fold), then train the model on all photos (0: no cross-validation).")]
    [DefaultValue(0)]
    public int Folds { get; init; }

    [CommandOption("--fold-by <UNIT>")]
    [Description("With --folds, what each fold keeps whole: clip (default: new clips of known people), video (every class of one video together: new people and rooms, the strictest) or photo (frames of one clip on both sides: optimistic, what a test set cut at random from the training clips would show).")]
    [DefaultValue("clip")]
    public string FoldBy { get; init; } = "clip";

    /// <summary><see cref="FoldBy"/> parsed; valid once <see cref="Validate"/> passed.</summary>
    public FoldUnit FoldUnit => FoldUnits.TryParse(FoldBy, out var unit) ? unit : FoldUnit.Clip;

    [CommandOption("--augment <NAME>")]
    [Description("keras: rotation 40°, shifts 0.2, shear 0.2, zoom 0.2, flip, colour jitter; photo: keras plus saturation jitter and random greyscale; photo-turn: photo with rotations up to 90°; light: half the geometric ranges; none.")]
    [DefaultValue("keras")]
    public string Augment { get; init; } = "keras";

    [CommandOption("--time-limit <MINUTES>")]
    [Description("Stop after the last epoch that is expected to end within this many minutes (the learning-rate schedule still spans --epochs).")]
    public double? TimeLimitMinutes { get; init; }

    [CommandOption("--backbone <FILE>")]
    [Description("The pretrained backbone: resnet18*: the ResNet-18 ONNX file (default: where 'dotnet restore tools/backbones' puts it); hand-landmark: hand_landmark_full.tflite (default: where 'npm ci --prefix tools/backbones' puts it).")]
    public string? Backbone { get; init; }

    [CommandOption("--feature-copies <N>")]
    [Description("Transfer architectures: augmented copies of each training image whose features the head trains on, besides the original.")]
    [DefaultValue(4)]
    public int FeatureCopies { get; init; } = 4;

    [CommandOption("--head-hidden <N>")]
    [Description("Transfer architectures: width of a hidden ReLU layer in the head (0: one dense layer on the features).")]
    [DefaultValue(0)]
    public int HeadHidden { get; init; }

    [CommandOption("--finetune-epochs <N>")]
    [Description("resnet18-s3|resnet18-multi|hand-landmark*: after the head, train the backbone's last stage(s) with it for N epochs on fresh augmented views (0: head only).")]
    [DefaultValue(0)]
    public int FineTuneEpochs { get; init; }

    [CommandOption("--finetune-stages <N>")]
    [Description("With --finetune-epochs: how many of the backbone's last stages to train (ResNet-18: 1 is the last tapped stage, 2 the one before it as well; hand-landmark: the layers after the N-th last residual block).")]
    [DefaultValue(1)]
    public int FineTuneStages { get; init; } = 1;

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

        if (!ArchitectureCatalog.Names.Contains(Arch.ToLowerInvariant()) && !TransferArchitectures.IsTransfer(Arch))
        {
            return ValidationResult.Error($"--arch must be one of: {string.Join(", ", ArchitectureCatalog.Names.Concat(TransferArchitectures.Names))}.");
        }

        if (FineTuneEpochs is < 0 or > 1000)
        {
            return ValidationResult.Error("--finetune-epochs must be between 0 and 1000.");
        }

        if (HeadHidden is < 0 or > 4096)
        {
            return ValidationResult.Error("--head-hidden must be between 0 and 4096.");
        }

        if (FineTuneStages is < 1 or > 3)
        {
            return ValidationResult.Error("--finetune-stages must be 1, 2 or 3.");
        }

        if (FeatureCopies is < 0 or > 100)
        {
            return ValidationResult.Error("--feature-copies must be between 0 and 100.");
        }

        if (Epochs < 1 || BatchSize < 1 || ImageSize < 16 || ImageSize > 1024)
        {
            return ValidationResult.Error("--epochs and --batch-size must be at least 1, --image-size between 16 and 1024.");
        }

        if (Augment.ToLowerInvariant() is not ("keras" or "photo" or "photo-turn" or "light" or "none"))
        {
            return ValidationResult.Error("--augment must be keras, photo, photo-turn, light or none.");
        }

        if (!FoldUnits.TryParse(FoldBy, out var foldUnit))
        {
            return ValidationResult.Error("--fold-by must be clip, video or photo.");
        }

        if (Folds == 0 && foldUnit != FoldUnit.Clip)
        {
            return ValidationResult.Error("--fold-by chooses how --folds splits the photos; give --folds too.");
        }

        if (Folds != 0)
        {
            if (Folds is < 2 or > 20)
            {
                return ValidationResult.Error("--folds must be between 2 and 20 (or 0 for none).");
            }

            if (!TransferArchitectures.IsTransfer(Arch))
            {
                return ValidationResult.Error($"--folds needs a transfer architecture ({string.Join(", ", TransferArchitectures.Names)}): only those train on cached features, so K folds cost K head trainings.");
            }

            if (FineTuneEpochs > 0)
            {
                return ValidationResult.Error("--folds cross-validates the head only; leave out --finetune-epochs.");
            }

            if (ValidationFraction is > 0)
            {
                return ValidationResult.Error("--folds trains the final model on every photo; leave out --val-fraction (or pass 0).");
            }
        }

        return ValidationFraction is < 0 or >= 0.9
            ? ValidationResult.Error("--val-fraction must be in [0, 0.9).")
            : ValidationResult.Success();
    }
}
