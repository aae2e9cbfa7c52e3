using System.Text.Json;
using ModelServer.Trainer.Cli;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Training;
using ModelServer.Trainer.Transfer;

namespace ModelServer.Trainer.Tests.Transfer;

public sealed class CrossValidationTests : IDisposable
{
    private static readonly string[] Classes = ["paper", "rock", "scissors"];
    private readonly string root = TestData.NewTempDirectory();

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>
    /// 30 clips of 3 photos; every photo's features are its clip's random "identity" (what a photo shares with its own
    /// clip and no other), plus, with <paramref name="signal"/>, three features that carry the class. Rows: the
    /// originals, then one augmented copy of each (the same values, slightly moved).
    /// </summary>
    private static (FeatureSet Features, DecodedDataset Dataset) Clips(bool signal, int identity)
    {
        const int clips = 30, frames = 3;
        var random = new Random(11);
        var samples = new List<ImageSample>();
        var rows = new List<float[]>();
        for (int c = 0; c < clips; c++)
        {
            int label = c % 3;
            float[] id = [.. Enumerable.Range(0, identity).Select(_ => (float)((random.NextDouble() * 2) - 1))];
            for (int f = 0; f < frames; f++)
            {
                samples.Add(new ImageSample($"{Classes[label]}/{c}-{f}.png", label, $"{Classes[label]}{c}"));
                float[] cls = [.. Enumerable.Range(0, 3).Select(k => signal && k == label ? 1f : 0f)];
                rows.Add([.. id.Select(v => v + (float)(random.NextDouble() * 0.01)), .. cls]);
            }
        }

        int width = rows[0].Length;
        var values = rows.Concat(rows.Select(r => r.Select(v => v + (float)(random.NextDouble() * 0.01)).ToArray())).SelectMany(r => r).ToArray();
        long[] labels = [.. samples.Select(s => (long)s.Label), .. samples.Select(s => (long)s.Label)];
        var dataset = new DecodedDataset(Classes, 1, samples, [.. samples.Select(_ => Array.Empty<byte>())], []);
        return (new FeatureSet(values, labels, width), dataset);
    }

    private static CrossValidationReport Run(FeatureSet features, DecodedDataset dataset, FoldUnit unit = FoldUnit.Clip)
    {
        TestData.EnsureTorch();
        int[] fold = CrossValidationFolds.Assign(dataset.Samples, dataset.ClassNames, folds: 5, seed: 2, unit);
        var options = new TrainingOptions(60, 16, 1, 0, AugmentationOptions.None);
        return CrossValidation.Run(features, [.. Enumerable.Range(0, dataset.Count)], dataset, fold, 5, unit, options, hidden: 0, _ => { });
    }

    [Fact]
    public void A_photo_is_scored_only_by_a_head_that_never_saw_its_clip()
    {
        // Features that identify the clip and say nothing about the class: a head that saw a photo's clip (or its
        // augmented copy) in training would name its class every time; one that did not can only guess.
        var (features, dataset) = Clips(signal: false, identity: 24);

        var report = Run(features, dataset);

        Assert.Equal(90, report.Images);
        Assert.True(report.Accuracy < 0.6, $"accuracy {report.Accuracy:P1} on features that only identify clips: a held-out clip leaked into training");
    }

    [Fact]
    public void Folds_by_photo_put_frames_of_one_clip_on_both_sides_so_clip_identity_scores_high()
    {
        // Features like the ones above: by photo, a held-out frame's clip-mates are in training, and the head names
        // their class. This is why --fold-by photo is the optimistic estimate, and why clip is the default. (Wider than
        // above so that a linear head can tell all 30 clips apart.)
        var (features, dataset) = Clips(signal: false, identity: 48);

        var report = Run(features, dataset, FoldUnit.Photo);

        Assert.Equal("photo", report.Unit);
        Assert.True(report.Accuracy > 0.9, $"accuracy {report.Accuracy:P1}: frames of a held-out photo's clip did not reach training");
    }

    [Fact]
    public void Features_that_carry_the_class_score_high_and_every_photo_counts_once()
    {
        var (features, dataset) = Clips(signal: true, identity: 6);

        var report = Run(features, dataset);

        Assert.True(report.Accuracy > 0.9, $"accuracy {report.Accuracy:P1}");
        Assert.Equal(5, report.PerFold.Count);
        Assert.Equal(dataset.Count, report.PerFold.Sum(f => f.ValidationImages));
        Assert.All(report.PerFold, f => Assert.Equal(dataset.Count, f.TrainImages + f.ValidationImages));
        Assert.Equal(dataset.Count, report.Confusion.Sum(r => r.Sum()));
        Assert.Equal(report.Accuracy, (double)Enumerable.Range(0, 3).Sum(i => report.Confusion[i][i]) / dataset.Count, 9);
        Assert.Equal(report.Accuracy, report.PerFold.Sum(f => f.Accuracy * f.ValidationImages) / dataset.Count, 9);
    }

    /// <summary><c>train</c> on the committed CGI set with a small synthetic backbone; returns the exit code and the output folder.</summary>
    private (int Exit, string Output) TrainCgi(params string[] arguments)
    {
        TestData.EnsureTorch();
        string backbone = SyntheticBackbone.Save(SyntheticBackbone.Create(), root);
        string output = Path.Combine(root, "out");
        int exit = TrainerApp.Run(["train", "--data", TestData.CgiRoot, "--arch", "resnet18-s3", "--backbone", backbone,
            "--image-size", "32", "--batch-size", "16", "--out", output, .. arguments]);
        return (exit, output);
    }

    [Fact]
    public void Train_with_folds_reports_the_cross_validation_and_ships_a_model_trained_on_every_photo()
    {
        var (exit, output) = TrainCgi("--epochs", "2", "--feature-copies", "1", "--folds", "3");

        Assert.Equal(0, exit);
        using var log = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, TrainingArtifacts.JsonLog)));
        var cv = log.RootElement.GetProperty("cross_validation");
        Assert.Equal(3, cv.GetProperty("folds").GetInt32());
        Assert.Equal(60, cv.GetProperty("images").GetInt32());
        Assert.Equal(60, cv.GetProperty("per_fold").EnumerateArray().Sum(f => f.GetProperty("validation_images").GetInt32()));
        Assert.Equal(60, log.RootElement.GetProperty("train_images").GetInt32());
        Assert.Equal(0, log.RootElement.GetProperty("validation_images").GetInt32());

        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(output, TrainingArtifacts.Model)));
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(cv.GetProperty("accuracy").GetDouble().ToString("F4", System.Globalization.CultureInfo.InvariantCulture), metadata["validation_accuracy"]);
        Assert.Equal("3-fold cross-validation by clip, 60 photos, last epoch", metadata["validation"]);
        Assert.StartsWith("Cross-validation confusion matrix (3 folds", File.ReadAllText(Path.Combine(output, TrainingArtifacts.Confusion)), StringComparison.Ordinal);
    }

    [Fact]
    public void Train_with_folds_by_video_says_so_in_the_log_and_the_metadata()
    {
        var (exit, output) = TrainCgi("--epochs", "1", "--feature-copies", "0", "--folds", "3", "--fold-by", "video");

        Assert.Equal(0, exit);
        using var log = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, TrainingArtifacts.JsonLog)));
        Assert.Equal("video", log.RootElement.GetProperty("cross_validation").GetProperty("unit").GetString());
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(output, TrainingArtifacts.Model)));
        Assert.Equal("3-fold cross-validation by video, 60 photos, last epoch", model.MetadataProps.Single(p => p.Key == "validation").Value);
        Assert.StartsWith("Cross-validation confusion matrix (3 folds by video", File.ReadAllText(Path.Combine(output, TrainingArtifacts.Confusion)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--folds", "8")] // the CGI set has 7 clips per class
    [InlineData("--folds", "3", "--fold-by", "frame")]
    [InlineData("--fold-by", "video")] // without --folds
    [InlineData("--folds", "3", "--val-fraction", "0.2")]
    [InlineData("--folds", "1")]
    [InlineData("--folds", "3", "--finetune-epochs", "1")]
    public void Folds_that_cannot_work_fail_before_training_and_write_nothing(params string[] folds)
    {
        var (exit, output) = TrainCgi(["--epochs", "1", .. folds]);

        Assert.Equal(1, exit);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Folds_need_a_transfer_architecture()
    {
        string output = Path.Combine(root, "out");
        Assert.Equal(1, TrainerApp.Run(["train", "--data", TestData.CgiRoot, "--arch", "compact", "--folds", "3", "--epochs", "1", "--out", output]));
        Assert.False(Directory.Exists(output));
    }
}
