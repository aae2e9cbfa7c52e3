using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelServer.Trainer.Cli;

public sealed class BenchmarkSettings : CommandSettings
{
    [CommandOption("--model <FILE>")]
    [Description("An ONNX model exported by this trainer.")]
    public string? Model { get; init; }

    [CommandOption("--seconds <S>")]
    [Description("Minimum measuring time per runtime and batch size.")]
    [DefaultValue(5.0)]
    public double Seconds { get; init; } = 5.0;

    [CommandOption("--threads <N>")]
    [Description("Intra-op threads for both runtimes.")]
    [DefaultValue(2)]
    public int Threads { get; init; } = 2;

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model is required.") : ValidationResult.Success();
}
