using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelServer.Trainer.Cli;

public sealed class EvaluateSettings : CommandSettings
{
    [CommandOption("--model <FILE>")]
    [Description("The ONNX model (its metadata gives labels and preprocessing).")]
    public string? Model { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("Folder with one sub-folder of images per class; folder names must be model labels.")]
    public string? Data { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Data)
            ? ValidationResult.Error("--model and --data are required.")
            : ValidationResult.Success();
}
