using System.Globalization;
using Google.Protobuf;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Export;
using ModelServer.Trainer.Models;

namespace ModelServer.Trainer.Training;

/// <summary>
/// <c>train</c> end to end: decode, split by clip, train, export, verify the export against
/// TorchSharp, then write model, logs and plot. Everything is written into a temporary sibling
/// folder first and moved into place at the end, so a failed run leaves no partial output.
/// </summary>
public static class TrainingPipeline
{
    private const int ParityImages = 16;

    public static TrainingSummary Run(TrainingRequest request, ITrainingProgress progress, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(log);
        var (dataset, train, validation) = LoadAndSplit(request, log);
        var architecture = ArchitectureCatalog.Create(request.Architecture, request.ImageSize, dataset.ClassNames.Count);
        var options = request.Options;

        var result = ModelTrainer.Train(dataset, train, validation, architecture, options, progress);
        var onnx = OnnxExporter.Export(architecture, result.Model, dataset.ClassNames, new Dictionary<string, string>
        {
            ["training_epochs"] = result.History.Count.ToString(CultureInfo.InvariantCulture),
            ["training_seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            // "none" when trained on every image (--val-fraction 0): there was nothing held out to measure on.
            ["validation_accuracy"] = validation.Length > 0 ? result.ValidationConfusion.Accuracy.ToString("F4", CultureInfo.InvariantCulture) : "none",
        });
        int[] paritySet = [.. (validation.Length > 0 ? validation : train).Take(ParityImages)];
        var parity = ExportVerifier.Verify(onnx, result.Model, dataset, paritySet);
        parity.ThrowIfFailed();

        log($"Export check: ONNX Runtime matches TorchSharp on {parity.Images} images within {Math.Max(parity.MaxProbabilityDifference, parity.MaxLogitDifference):G3}.");
        byte[] model = onnx.ToByteArray();
        var history = result.History;
        var summary = new TrainingSummary(
            request.CommandLine, architecture.Name, architecture.Description,
            result.Model.parameters().Sum(p => p.numel()),
            request.ImageSize, options.Epochs, result.History.Count, options.BatchSize, options.Seed, options.ValidationFraction,
            dataset.ClassNames, train.Length, validation.Length, dataset.Skipped.Count, [.. dataset.Skipped.Select(s => s.Path)],
            result.BestEpoch, result.ValidationConfusion.Accuracy, history, result.ValidationConfusion.ToRows(),
            result.TotalSeconds, history.Average(m => m.ImagesPerSecond),
            parity.MaxProbabilityDifference, parity.MaxLogitDifference, model.LongLength, DateTimeOffset.UtcNow);

        TrainingArtifacts.Write(request.OutputDirectory, model, summary, $"{architecture.Name} {request.ImageSize}x{request.ImageSize}, seed {options.Seed}", result.ValidationConfusion);
        result.Model.Dispose();
        return summary;
    }

    /// <summary>Decodes the data set (logging skipped images), splits it by whole clips, and logs what was found.</summary>
    internal static (DecodedDataset Dataset, int[] Train, int[] Validation) LoadAndSplit(TrainingRequest request, Action<string> log)
    {
        var dataset = DatasetLoader.Load(request.DataDirectory, request.ImageSize,
            skipped => log($"warning: skipped unreadable image {skipped.Path}: {skipped.Reason}"));
        var (train, validation) = ValidationSplit.ByClip(dataset.Samples, request.Options.ValidationFraction, request.Options.Seed);
        log($"{dataset.Count} images in {dataset.ClassNames.Count} classes ({string.Join(", ", dataset.ClassNames.Zip(dataset.CountPerClass(), (n, c) => $"{n} {c}"))}), "
            + $"{dataset.Skipped.Count} skipped; {train.Length} for training, {validation.Length} for validation "
            + $"({dataset.Samples.Select(s => s.Clip).Distinct(StringComparer.Ordinal).Count()} clips).");
        return (dataset, train, validation);
    }

    /// <summary>Writes into a fresh sibling folder, then moves each file into <paramref name="output"/>.</summary>
    internal static void WriteAtomically(string output, Action<string> write)
    {
        string target = Path.GetFullPath(output);
        string parent = Path.GetDirectoryName(target) ?? throw new ArgumentException($"Output '{output}' has no parent folder.", nameof(output));
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
            Directory.CreateDirectory(target);
            foreach (string file in Directory.GetFiles(staging))
            {
                File.Move(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
            }
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }
}
