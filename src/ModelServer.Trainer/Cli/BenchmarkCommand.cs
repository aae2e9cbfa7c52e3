using System.Diagnostics;
using System.Globalization;
using ModelServer.Trainer.Evaluation;
using ModelServer.Trainer.Export;
using ModelServer.Trainer.Native;
using ModelServer.Trainer.Transfer;
using Onnx;
using Spectre.Console.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Cli;

/// <summary>
/// <c>benchmark</c>: inference speed of ONNX Runtime and TorchSharp on the same weights, batch 1, 8 and 32. Models with
/// a frozen pretrained backbone (<c>resnet18*</c>) have no TorchSharp copy of the backbone: ONNX Runtime only.
/// </summary>
public sealed class BenchmarkCommand : Command<BenchmarkSettings>
{
    public override int Execute(CommandContext context, BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        TorchNativeLibrary.EnsureLoaded();
        torch.set_num_threads(settings.Threads);
        byte[] bytes = File.ReadAllBytes(settings.Model!);
        var onnx = ModelProto.Parser.ParseFrom(bytes);
        string? name = onnx.MetadataProps.FirstOrDefault(p => p.Key == "architecture")?.Value;
        bool transfer = name is not null && TransferArchitectures.IsTransfer(name);
        var (architecture, model) = transfer ? (null, null) : OnnxWeightImporter.Import(onnx);
        using var classifier = new OnnxClassifier(bytes, settings.Threads);
        int size = classifier.Preprocessing.Width;
        var random = new Random(1);
        Console.WriteLine($"{architecture?.Name ?? name} {size}x{size}, {settings.Threads} threads, CPU{(transfer ? " (ONNX Runtime only: the backbone has no TorchSharp copy)" : string.Empty)}");
        foreach (int batch in new[] { 1, 8, 32 })
        {
            float[] nhwc = new float[batch * size * size * 3];
            for (int i = 0; i < nhwc.Length; i++)
            {
                nhwc[i] = (float)random.NextDouble();
            }

            double ort = Measure(settings.Seconds, batch, () => classifier.Run(nhwc, batch));
            if (model is null)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {batch,2}: ONNX Runtime {ort,7:F1} img/s"));
                continue;
            }

            using var input = tensor(nhwc, [batch, size, size, 3]).permute(0, 3, 1, 2).contiguous();
            double torchRate = Measure(settings.Seconds, batch, () =>
            {
                using var noGrad = no_grad();
                using var scope = NewDisposeScope();
                _ = nn.functional.softmax(model.forward(input), 1).data<float>().ToArray();
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"batch {batch,2}: ONNX Runtime {ort,7:F1} img/s, TorchSharp {torchRate,7:F1} img/s, ratio {ort / torchRate:F2}"));
        }

        return 0;
    }

    private static double Measure(double seconds, int batch, Action run)
    {
        run(); // warm-up: first-run allocations and kernel selection
        int images = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            run();
            images += batch;
        }

        return images / watch.Elapsed.TotalSeconds;
    }
}
