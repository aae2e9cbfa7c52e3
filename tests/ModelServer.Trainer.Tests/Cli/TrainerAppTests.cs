using ModelServer.Trainer.Cli;
using ModelServer.Trainer.Training;

namespace ModelServer.Trainer.Tests.Cli;

public sealed class TrainerAppTests : IDisposable
{
    private readonly string root = TestData.NewTempDirectory();

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Train_evaluate_publish_end_to_end()
    {
        string output = Path.Combine(root, "out");
        string repository = Path.Combine(root, "repo");

        int train = TrainerApp.Run(["train", "--data", TestData.CgiRoot, "--arch", "compact", "--epochs", "2", "--image-size", "32",
            "--val-fraction", "0.3", "--seed", "1", "--out", output]);
        Assert.Equal(0, train);
        foreach (string artifact in new[] { TrainingArtifacts.Model, TrainingArtifacts.JsonLog, TrainingArtifacts.CsvLog, TrainingArtifacts.Plot })
        {
            Assert.True(new FileInfo(Path.Combine(output, artifact)).Length > 0, artifact);
        }

        Assert.Equal(3, File.ReadAllLines(Path.Combine(output, TrainingArtifacts.CsvLog)).Length);
        byte[] png = File.ReadAllBytes(Path.Combine(output, TrainingArtifacts.Plot));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));

        Assert.Equal(0, TrainerApp.Run(["evaluate", "--model", Path.Combine(output, TrainingArtifacts.Model), "--data", TestData.CgiRoot]));
        Assert.Equal(0, TrainerApp.Run(["publish", "--model", Path.Combine(output, TrainingArtifacts.Model), "--repository", repository, "--name", "rps"]));
        Assert.True(File.Exists(Path.Combine(repository, "rps", "1", "model.onnx")));
    }

    [Fact]
    public void Bad_inputs_exit_non_zero_and_write_nothing()
    {
        string output = Path.Combine(root, "out");
        string emptyData = Directory.CreateDirectory(Path.Combine(root, "empty")).FullName;
        string blocker = Path.Combine(root, "file");
        File.WriteAllText(blocker, "x");

        Assert.Equal(1, TrainerApp.Run(["train", "--data", Path.Combine(root, "missing"), "--out", output]));
        Assert.Equal(1, TrainerApp.Run(["train", "--data", emptyData, "--out", output]));
        Assert.Equal(1, TrainerApp.Run(["train", "--data", TestData.CgiRoot, "--arch", "nope", "--out", output]));
        Assert.Equal(1, TrainerApp.Run(["train", "--out", output]));
        Assert.False(Directory.Exists(output));

        Assert.Equal(1, TrainerApp.Run(["evaluate", "--model", Path.Combine(root, "missing.onnx"), "--data", TestData.CgiRoot]));
        Assert.Equal(1, TrainerApp.Run(["publish", "--model", Path.Combine(root, "missing.onnx"), "--repository", root, "--name", "rps"]));
        Assert.Equal(1, TrainerApp.Run(["publish", "--model", blocker, "--repository", Path.Combine(blocker, "repo"), "--name", "rps"]));
        Assert.False(Directory.Exists(Path.Combine(root, "rps")));
        Assert.DoesNotContain(Directory.GetDirectories(root), d => Path.GetFileName(d).Contains("partial", StringComparison.Ordinal));
    }
}
