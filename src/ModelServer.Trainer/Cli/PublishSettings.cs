using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelServer.Trainer.Cli;

public sealed class PublishSettings : CommandSettings
{
    [CommandOption("--model <FILE>")]
    [Description("The ONNX model to publish.")]
    public string? Model { get; init; }

    [CommandOption("--repository <DIR>")]
    [Description("The model repository the server watches.")]
    public string? Repository { get; init; }

    [CommandOption("--name <NAME>")]
    [Description("Model name: the folder under the repository.")]
    public string? Name { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Repository) || string.IsNullOrWhiteSpace(Name)
            ? ValidationResult.Error("--model, --repository and --name are required.")
            : ValidationResult.Success();
}
