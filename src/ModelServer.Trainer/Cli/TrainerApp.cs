using ModelServer.Runtime.Imaging;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Native;
using ModelServer.Trainer.Publishing;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelServer.Trainer.Cli;

/// <summary>The command line: <c>train</c>, <c>evaluate</c>, <c>publish</c>, <c>benchmark</c>. Exit code 0 on success, 1 on any failure.</summary>
public static class TrainerApp
{
    public static int Run(string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("ModelServer.Trainer");
            config.AddCommand<TrainCommand>("train").WithDescription("Train a classifier on a folder-per-class data set and export it to ONNX.");
            config.AddCommand<EvaluateCommand>("evaluate").WithDescription("Score an ONNX model on a folder-per-class data set with the server's preprocessing.");
            config.AddCommand<PublishCommand>("publish").WithDescription("Copy a model into the next free version of a model repository, atomically.");
            config.AddCommand<BenchmarkCommand>("benchmark").WithDescription("Compare ONNX Runtime and TorchSharp inference speed on an exported model.");
            config.SetExceptionHandler((exception, _) =>
            {
                // Expected failures get one clear line; anything else keeps its stack trace.
                if (IsExpected(exception))
                {
                    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(exception.Message)}");
                }
                else
                {
                    AnsiConsole.WriteException(exception);
                }

                return 1;
            });
        });
        return app.Run(args);
    }

    private static bool IsExpected(Exception exception) =>
        exception is DatasetException or TorchUnavailableException or PublishException or ImageDecodeException
            or InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
            or CommandAppException;
}
