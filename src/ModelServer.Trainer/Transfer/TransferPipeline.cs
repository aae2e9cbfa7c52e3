using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Evaluation;
using ModelServer.Trainer.Export;
using ModelServer.Trainer.Training;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// <c>train --arch resnet18-s3|resnet18</c>: decode, split by clip, build the feature extractor from the pretrained
/// backbone, extract features once (training images plus augmented copies), train the head with TorchSharp, append
/// it to the graph, verify the export (ONNX Runtime end to end vs TorchSharp's head on the backbone's features), then
/// write model, logs and plot atomically, as <see cref="TrainingPipeline"/> does.
/// </summary>
public static class TransferPipeline
{
    private const int ParityImages = 16;

    public static TrainingSummary Run(TrainingRequest request, TransferOptions transfer, ITrainingProgress progress, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(transfer);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(log);
        var (backbonePath, copies, fineTuneEpochs, fineTuneStages) = (transfer.BackbonePath, transfer.FeatureCopies, transfer.FineTuneEpochs, transfer.FineTuneStages);
        string architecture = request.Architecture;
        EnsureBackbone(architecture, backbonePath); // before decoding thousands of photos
        var total = Stopwatch.StartNew();
        var options = request.Options;
        var (dataset, train, validation) = TrainingPipeline.LoadAndSplit(request, log);
        // Folds before the backbone runs: a class with fewer clips than folds fails in seconds, not minutes.
        int[]? folds = transfer.Folds > 0 ? CrossValidationFolds.Assign(dataset.Samples, dataset.ClassNames, transfer.Folds, options.Seed, transfer.FoldBy) : null;
        var (featureModel, width) = LoadFeatureModel(architecture, backbonePath, request.ImageSize, dataset.ClassNames);
        if (fineTuneEpochs > 0)
        {
            // Fail before hours of feature extraction, not after: the stages to fine-tune must exist.
            try
            {
                FineTuner.TailInput(featureModel, fineTuneStages);
            }
            catch (InvalidDataException ex)
            {
                throw new DatasetException($"--finetune-stages {fineTuneStages} does not fit backbone '{backbonePath}': {ex.Message}");
            }
        }

        using var features = new OnnxClassifier(featureModel.ToByteArray());
        var extractor = new FeatureExtractor(features, width);
        var extractWatch = Stopwatch.StartNew();
        var trainFeatures = extractor.Extract(dataset, train, copies, options.Augmentation, options.Seed);
        var validationFeatures = extractor.Extract(dataset, validation, 0, options.Augmentation, options.Seed);
        double extractSeconds = extractWatch.Elapsed.TotalSeconds;
        double imagesPerSecond = (trainFeatures.Count + validationFeatures.Count) / extractSeconds;
        log(string.Create(CultureInfo.InvariantCulture,
            $"Backbone features ({width} per image) for {trainFeatures.Count} training rows ({train.Length} images, {copies} augmented copies each) "
            + $"and {validationFeatures.Count} validation images in {extractSeconds:F0} s ({imagesPerSecond:F1} img/s)."));

        var crossValidation = folds is null
            ? null
            : CrossValidation.Run(trainFeatures, train, dataset, folds, transfer.Folds, transfer.FoldBy, options, transfer.HeadHidden, log);

        // The head sees standardised features (max-pooled activations are an order of magnitude larger than
        // averaged ones); the same Sub/Div runs in the exported graph, with the training set's statistics.
        var (mean, std) = trainFeatures.Statistics();
        trainFeatures = trainFeatures.Standardize(mean, std);
        validationFeatures = validationFeatures.Standardize(mean, std);
        var (head, history, bestEpoch, confusion) = HeadTrainer.Train(trainFeatures, validationFeatures, dataset.ClassNames, options.Epochs, options.BatchSize, options.Seed, progress, transfer.HeadHidden);
        string description = TransferArchitectures.Describe(architecture);
        var onnx = TransferExporter.Export(featureModel, head, mean, std, architecture, description, new Dictionary<string, string>
        {
            ["training_epochs"] = history.Count.ToString(CultureInfo.InvariantCulture),
            ["training_seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            // "none" when trained on every image (--val-fraction 0): there was nothing held out to measure on.
            ["validation_accuracy"] = crossValidation is { } cv ? cv.Accuracy.ToString("F4", CultureInfo.InvariantCulture)
                : validation.Length > 0 ? confusion.Accuracy.ToString("F4", CultureInfo.InvariantCulture) : "none",
            ["validation"] = crossValidation is { } folded ? $"{folded.Folds}-fold cross-validation by {folded.Unit}, {folded.Images} photos, last epoch"
                : validation.Length > 0 ? $"{validation.Length} photos of held-out clips, best epoch" : "none",
            ["backbone"] = TransferArchitectures.IsHandLandmark(architecture)
                ? "@mediapipe/hands 0.4.1675469240 hand_landmark_full.tflite (MediaPipe hand landmark network, Apache-2.0)"
                : "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (ImageNet ResNet-18, CNTK export, MIT)",
        });
        int[] paritySet = [.. (validation.Length > 0 ? validation : train).Take(ParityImages)];
        var parity = Verify(onnx, head, extractor, mean, std, dataset, paritySet);
        parity.ThrowIfFailed();
        if (fineTuneEpochs > 0)
        {
            // Then the last stage with the head, on fresh augmented views of the same photos.
            var fine = FineTuner.Run(onnx, dataset, train, validation, fineTuneStages, options with { Epochs = fineTuneEpochs, BatchSize = 32 }, history.Count, progress, log);
            fine.Parity.ThrowIfFailed();
            parity = fine.Parity;
            onnx = fine.Model;
            history.AddRange(fine.History);
            confusion = fine.Confusion;
            bestEpoch = fine.BestEpoch;
            SetMetadata(onnx, "training_epochs", history.Count.ToString(CultureInfo.InvariantCulture));
            SetMetadata(onnx, "validation_accuracy", validation.Length > 0 ? confusion.Accuracy.ToString("F4", CultureInfo.InvariantCulture) : "none");
            string tuned = fineTuneStages == 1 ? "last stage" : $"last {fineTuneStages} stages";
            SetMetadata(onnx, "fine_tuned", $"{tuned} and head, {fineTuneEpochs} epochs, AdamW {FineTuner.LearningRate}");
            description += $"; {tuned} fine-tuned {fineTuneEpochs} epochs";
        }


        log($"Export check: ONNX Runtime end to end matches TorchSharp's head on the backbone features for {parity.Images} images within {Math.Max(parity.MaxProbabilityDifference, parity.MaxLogitDifference):G3}.");
        byte[] model = onnx.ToByteArray();
        var summary = new TrainingSummary(
            request.CommandLine, architecture, description, TransferExporter.ParameterCount(onnx),
            request.ImageSize, options.Epochs, history.Count, options.BatchSize, options.Seed, options.ValidationFraction,
            dataset.ClassNames, train.Length, validation.Length, dataset.Skipped.Count, [.. dataset.Skipped.Select(s => s.Path)],
            bestEpoch, confusion.Accuracy, history, confusion.ToRows(),
            total.Elapsed.TotalSeconds, imagesPerSecond,
            parity.MaxProbabilityDifference, parity.MaxLogitDifference, model.LongLength, DateTimeOffset.UtcNow, crossValidation);

        TrainingArtifacts.Write(request.OutputDirectory, model, summary, $"{architecture} head {request.ImageSize}x{request.ImageSize}, seed {options.Seed}", confusion);
        head.Dispose();
        return summary;
    }

    /// <summary>A missing backbone is the user's to fix: say how to fetch it, before any photo is decoded.</summary>
    private static void EnsureBackbone(string architecture, string backbonePath)
    {
        if (!File.Exists(backbonePath))
        {
            throw new DatasetException(TransferArchitectures.IsHandLandmark(architecture)
                ? $"Backbone '{backbonePath}' not found. Fetch it with 'npm ci --prefix tools/backbones' (npm package "
                    + "@mediapipe/hands 0.4.1675469240) or pass --backbone FILE."
                : $"Backbone '{backbonePath}' not found. Restore it with 'dotnet restore tools/backbones' (NuGet package "
                    + "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1) or pass --backbone FILE.");
        }
    }

    /// <summary>The backbone cut into a feature extractor; an unusable file is the user's to fix, so a <see cref="DatasetException"/>.</summary>
    private static (ModelProto Model, int Width) LoadFeatureModel(string architecture, string backbonePath, int imageSize, IReadOnlyList<string> labels)
    {
        bool hand = TransferArchitectures.IsHandLandmark(architecture);
        try
        {
            byte[] file = File.ReadAllBytes(backbonePath);
            return hand
                ? HandLandmarkBackbone.BuildFeatureModel(TfLite.TfLiteModel.Parse(file), imageSize, TransferArchitectures.Taps(architecture), labels,
                    upright: architecture == TransferArchitectures.HandLandmarkUpright)
                : BackboneGraph.BuildFeatureModel(ModelProto.Parser.ParseFrom(file), imageSize, TransferArchitectures.Taps(architecture), labels);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new DatasetException($"Backbone '{backbonePath}' is not an ONNX model: {ex.Message}");
        }
        catch (InvalidDataException ex)
        {
            throw new DatasetException($"Backbone '{backbonePath}' cannot be used: {ex.Message}");
        }
    }

    private static void SetMetadata(ModelProto model, string key, string value)
    {
        var entry = model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (entry is null)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        else
        {
            entry.Value = value;
        }
    }

    /// <summary>ONNX Runtime on the whole exported model vs TorchSharp's head on ONNX Runtime's backbone features.</summary>
    public static ParityReport Verify(ModelProto onnx, nn.Module<Tensor, Tensor> head, FeatureExtractor extractor, float[] mean, float[] std, DecodedDataset dataset, int[] indices, double tolerance = ExportVerifier.DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        var rows = extractor.Extract(dataset, indices, 0, AugmentationOptions.None, 0).Standardize(mean, std);
        head.eval();
        return ExportVerifier.Compare(onnx, dataset, indices, tolerance, () => head.forward(tensor(rows.Values, [rows.Count, rows.Width])));
    }
}
