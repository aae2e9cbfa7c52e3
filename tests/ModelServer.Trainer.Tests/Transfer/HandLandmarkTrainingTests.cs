using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelServer.Trainer.Cli;
using ModelServer.Trainer.Export;

namespace ModelServer.Trainer.Tests.Transfer;

public sealed class HandLandmarkTrainingTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("hand-landmark-tests-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string SyntheticNetworkFile()
    {
        TestData.EnsureTorch();
        string path = Path.Combine(root, "hand_landmark.tflite");
        File.WriteAllBytes(path, SyntheticTfLite.Create(SyntheticTfLite.CreateWeights(), 16));
        return path;
    }

    private static string[] TrainWith(string backbone, params string[] more) =>
        ["train", "--data", TestData.CgiRoot, "--arch", "hand-landmark", "--backbone", backbone, .. more];

    [Fact]
    public void Train_with_a_hidden_layer_writes_a_verified_model_the_server_can_read()
    {
        string backbone = SyntheticNetworkFile();
        string output = Path.Combine(root, "out");

        int exit = TrainerApp.Run(TrainWith(backbone, "--epochs", "2", "--image-size", "24", "--feature-copies", "1", "--head-hidden", "8", "--batch-size", "16", "--out", output));

        Assert.Equal(0, exit);
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(output, "model.onnx")));
        Assert.Equal([OnnxExporter.ProbabilitiesName, OnnxExporter.LogitsName], model.Graph.Output.Select(o => o.Name));
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("hand-landmark", metadata["architecture"]);
        Assert.Contains("@mediapipe/hands", metadata["backbone"], StringComparison.Ordinal);
        Assert.Contains(model.Graph.Node, n => n.Name == "head_hidden_relu");

        using var session = new InferenceSession(model.ToByteArray());
        using var input = OrtValue.CreateTensorValueFromMemory(new float[2 * 24 * 24 * 3], [2, 24, 24, 3]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [input], [OnnxExporter.ProbabilitiesName]);
        var probabilities = results[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(6, probabilities.Length);
        Assert.Equal(1f, probabilities[3] + probabilities[4] + probabilities[5], 3);
    }

    [Fact]
    public void Fine_tuning_is_refused_for_the_hand_network_before_anything_runs()
    {
        string backbone = SyntheticNetworkFile();
        string output = Path.Combine(root, "out");

        int exit = TrainerApp.Run(TrainWith(backbone, "--epochs", "1", "--image-size", "24", "--finetune-epochs", "1", "--out", output));

        Assert.NotEqual(0, exit);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_missing_network_fails_and_writes_nothing()
    {
        TestData.EnsureTorch();
        string output = Path.Combine(root, "out");

        int exit = TrainerApp.Run(TrainWith(Path.Combine(root, "nope.tflite"), "--epochs", "1", "--image-size", "24", "--out", output));

        Assert.Equal(1, exit);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_file_that_is_not_a_TFLite_model_is_a_clear_error()
    {
        TestData.EnsureTorch();
        string path = Path.Combine(root, "bad.tflite");
        File.WriteAllBytes(path, new byte[100]);
        string output = Path.Combine(root, "out");

        int exit = TrainerApp.Run(TrainWith(path, "--epochs", "1", "--image-size", "24", "--out", output));

        Assert.Equal(1, exit);
        Assert.False(Directory.Exists(output));
    }
}
