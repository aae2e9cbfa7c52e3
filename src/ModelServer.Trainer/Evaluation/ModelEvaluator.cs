using System.Diagnostics;
using ModelServer.Runtime.Imaging;
using ModelServer.Trainer.Data;

namespace ModelServer.Trainer.Evaluation;

/// <summary>
/// Scores an ONNX classifier on a folder-per-class data set through the server's path: encoded
/// file bytes → <see cref="ImageDecoder"/> with the preprocessing from the model's metadata → ONNX
/// Runtime. Folder names are matched to the model's labels by name.
/// </summary>
public static class ModelEvaluator
{
    private const int BatchSize = 32;

    public static EvaluationReport Evaluate(string modelPath, string dataDirectory, Action<SkippedImage>? onSkipped = null)
    {
        if (!File.Exists(modelPath))
        {
            throw new InvalidDataException($"Model file '{modelPath}' does not exist.");
        }

        var folder = ImageFolderScanner.Scan(dataDirectory);
        using var classifier = OnnxClassifier.Load(modelPath);
        int[] labelOfClass = [.. folder.ClassNames.Select(name =>
        {
            int index = classifier.Labels.ToList().IndexOf(name);
            return index >= 0
                ? index
                : throw new DatasetException($"Class folder '{name}' is not one of the model's labels ({string.Join(", ", classifier.Labels)}).");
        })];

        var watch = Stopwatch.StartNew();
        var decoder = new ImageDecoder();
        var preprocessing = classifier.Preprocessing;
        var confusion = new ConfusionMatrix(classifier.Labels);
        var skipped = new List<SkippedImage>();
        var batch = new float[BatchSize * preprocessing.ElementCount];
        var actual = new List<int>(BatchSize);
        foreach (var sample in folder.Samples)
        {
            try
            {
                byte[] encoded = File.ReadAllBytes(sample.Path);
                decoder.DecodeInto(encoded, preprocessing, batch.AsSpan(actual.Count * preprocessing.ElementCount, preprocessing.ElementCount));
                actual.Add(labelOfClass[sample.Label]);
            }
            catch (Exception ex) when (ex is ImageDecodeException or IOException or UnauthorizedAccessException)
            {
                var skip = new SkippedImage(sample.Path, ex.Message);
                skipped.Add(skip);
                onSkipped?.Invoke(skip);
            }

            if (actual.Count == BatchSize)
            {
                Score(classifier, batch, actual, confusion);
            }
        }

        Score(classifier, batch, actual, confusion);
        if (confusion.Total == 0)
        {
            throw new DatasetException($"No readable images in '{dataDirectory}' ({skipped.Count} skipped).");
        }

        return new EvaluationReport(confusion, skipped, watch.Elapsed.TotalSeconds);
    }

    private static void Score(OnnxClassifier classifier, float[] batch, List<int> actual, ConfusionMatrix confusion)
    {
        if (actual.Count == 0)
        {
            return;
        }

        int classes = classifier.Labels.Count;
        float[] probabilities = classifier.Run(batch, actual.Count);
        for (int i = 0; i < actual.Count; i++)
        {
            var row = probabilities.AsSpan(i * classes, classes);
            int predicted = 0;
            for (int c = 1; c < classes; c++)
            {
                if (row[c] > row[predicted])
                {
                    predicted = c;
                }
            }

            confusion.Add(actual[i], predicted);
        }

        actual.Clear();
    }
}
