using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelServer.Trainer.Cli;
using ModelServer.Trainer.Export;
using ModelServer.Trainer.Transfer;

namespace ModelServer.Trainer.Tests.Transfer;

public sealed class TransferTrainingTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("transfer-tests-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary><c>train --arch resnet18-s3</c> on the committed 28×28 images with this backbone, then <paramref name="more"/>.</summary>
    private static string[] TrainWith(string backbone, params string[] more) =>
        ["train", "--data", TestData.CgiRoot, "--arch", "resnet18-s3", "--backbone", backbone, .. more];

    /// <summary>Loads Torch and saves the synthetic CNTK-shaped backbone under the test's folder.</summary>
    private string SyntheticBackboneFile()
    {
        TestData.EnsureTorch();
        return SyntheticBackbone.Save(SyntheticBackbone.Create(), root);
    }

    [Fact]
    public void Train_with_a_backbone_writes_a_verified_model_the_server_can_read()
    {
        string backbone = SyntheticBackboneFile();
        string output = Path.Combine(root, "out");

        int exit = TrainerApp.Run(TrainWith(backbone, "--epochs", "3", "--image-size", "32", "--feature-copies", "1", "--batch-size", "16", "--out", output));

        Assert.Equal(0, exit);
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(output, "model.onnx")));
        Assert.Equal([OnnxExporter.ProbabilitiesName, OnnxExporter.LogitsName], model.Graph.Output.Select(o => o.Name));
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("resnet18-s3", metadata["architecture"]);
        Assert.Equal("paper,rock,scissors", metadata["labels"]);

        // Probabilities for a batch of two sum to one per row.
        using var session = new InferenceSession(model.ToByteArray());
        using var input = OrtValue.CreateTensorValueFromMemory(new float[2 * 32 * 32 * 3], [2, 32, 32, 3]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [input], [OnnxExporter.ProbabilitiesName]);
        var probabilities = results[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(6, probabilities.Length);
        Assert.Equal(1f, probabilities[0] + probabilities[1] + probabilities[2], 3);
        Assert.True(File.Exists(Path.Combine(output, "training-log.json")));
    }

    [Fact]
    public void Fine_tuning_the_last_stage_changes_its_weights_and_still_verifies()
    {
        string backbone = SyntheticBackboneFile();
        string headOnly = Path.Combine(root, "head"), tuned = Path.Combine(root, "tuned");
        string[] common = TrainWith(backbone, "--epochs", "2", "--image-size", "32", "--feature-copies", "1", "--batch-size", "16");

        Assert.Equal(0, TrainerApp.Run([.. common, "--out", headOnly]));
        Assert.Equal(0, TrainerApp.Run([.. common, "--finetune-epochs", "2", "--out", tuned]));

        // The export check (ONNX Runtime end to end vs TorchSharp's tail) passed, or nothing would be written.
        var before = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(headOnly, "model.onnx")));
        var after = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(tuned, "model.onnx")));
        var metadata = after.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("4", metadata["training_epochs"]);
        Assert.StartsWith("last stage and head, 2 epochs", metadata["fine_tuned"], StringComparison.Ordinal);

        // Stage 3 (256 channels) moved; stage 2 (128) and the stem did not.
        var old = before.Graph.Initializer.ToDictionary(t => t.Name, t => t);
        var changed = after.Graph.Initializer.Where(t => !t.Equals(old[t.Name])).Select(t => t).ToList();
        Assert.Contains(changed, t => t.Dims.Count == 4 && t.Dims[0] == 256);
        Assert.DoesNotContain(changed, t => t.Dims.Count == 4 && t.Dims[0] is 128 or 64);
        Assert.Equal(before.Graph.Node.Count, after.Graph.Node.Count);

        // Every batch is a fresh augmented view, drawn from fixed per-batch seeds: the same seed gives the same weights.
        string again = Path.Combine(root, "again");
        Assert.Equal(0, TrainerApp.Run([.. common, "--finetune-epochs", "2", "--out", again]));
        var repeat = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(again, "model.onnx")));
        Assert.Equal(after.Graph.Initializer, repeat.Graph.Initializer);

        // --finetune-stages 2 trains the stage before it as well (128 channels); the stem (64) stays.
        string two = Path.Combine(root, "two");
        Assert.Equal(0, TrainerApp.Run([.. common, "--finetune-epochs", "1", "--finetune-stages", "2", "--out", two]));
        var twoStages = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(two, "model.onnx")));
        var moved = twoStages.Graph.Initializer.Where(t => !t.Equals(old[t.Name])).ToList();
        Assert.Contains(moved, t => t.Dims.Count == 4 && t.Dims[0] == 256);
        Assert.Contains(moved, t => t.Dims.Count == 4 && t.Dims[0] == 128);
        Assert.DoesNotContain(moved, t => t.Dims.Count == 4 && t.Dims[0] == 64);
        Assert.StartsWith("last 2 stages and head, 1 epochs", twoStages.MetadataProps.Single(p => p.Key == "fine_tuned").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Fine_tuning_more_stages_than_the_backbone_has_fails_at_once_and_writes_nothing()
    {
        string backbone = SyntheticBackboneFile();
        string output = Path.Combine(root, "out");
        // The synthetic backbone has a stem and one block per stage: stage 2 starts at the stem, there is no third.
        int exit = TrainerApp.Run(TrainWith(backbone, "--epochs", "1", "--image-size", "32", "--finetune-epochs", "1", "--finetune-stages", "3", "--out", output));

        Assert.Equal(1, exit);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_missing_backbone_says_how_to_get_one_and_writes_nothing()
    {
        TestData.EnsureTorch();
        string output = Path.Combine(root, "out");
        int exit = TrainerApp.Run(TrainWith(Path.Combine(root, "nope.onnx"), "--epochs", "1", "--image-size", "32", "--out", output));

        Assert.Equal(1, exit);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Head_learns_from_separable_features()
    {
        TestData.EnsureTorch();
        // Two features that carry the class, one that is noise: the head must fit them.
        var random = new Random(1);
        var values = new List<float>();
        var labels = new List<long>();
        for (int i = 0; i < 300; i++)
        {
            int label = i % 3;
            values.AddRange([label == 0 ? 2f : -1f, label == 1 ? 2f : -1f, (float)random.NextDouble()]);
            labels.Add(label);
        }

        var set = new FeatureSet([.. values], [.. labels], 3);
        var (head, history, _, confusion) = HeadTrainer.Train(set, set, ["a", "b", "c"], 60, 16, 1, ModelServer.Trainer.Training.SilentProgress.Instance);
        Assert.True(history[^1].TrainLoss < history[0].TrainLoss, $"loss {history[0].TrainLoss} → {history[^1].TrainLoss}");
        Assert.True(confusion.Accuracy > 0.95, $"accuracy {confusion.Accuracy}; " + string.Join(" ", history.Select(h => $"{h.TrainLoss:F3}/{h.TrainAccuracy:F2}/{h.ValidationAccuracy:F2}")));
        head.Dispose();
    }
}
