using ModelServer.Trainer.Cli;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Native;
using ModelServer.Trainer.Publishing;
using ModelServer.Runtime.Imaging;
using Spectre.Console;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("ModelServer.Trainer");
    config.AddCommand<TrainCommand>("train").WithDescription("Train a classifier on a folder-per-class data set and export it to ONNX.");
    config.AddCommand<EvaluateCommand>("evaluate").WithDescription("Score an ONNX model on a folder-per-class data set with the server's preprocessing.");
    config.AddCommand<PublishCommand>("publish").WithDescription("Copy a model into the next free version of a model repository, atomically.");
    // Expected failures get one clear line and exit code 1; anything else keeps its stack trace.
    config.SetExceptionHandler((exception, _) =>
    {
        var known = exception is DatasetException or TorchUnavailableException or PublishException or ImageDecodeException
            or InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
            or CommandAppException;
        if (known)
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
