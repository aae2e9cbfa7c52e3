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
    public void Fine_tuning_the_upright_network_trains_its_own_copy_of_the_last_layers_and_leaves_the_first_pass_alone()
    {
        TestData.EnsureTorch();
        string backbone = Path.Combine(root, "hand_landmark.tflite");
        var landmarks = new float[63];
        landmarks[(3 * 9) + 1] = -10; // the knuckle above the wrist: an upright hand
        File.WriteAllBytes(backbone, SyntheticTfLite.Create(SyntheticTfLite.CreateWeights(), 16, landmarks: landmarks));
        string[] common = ["train", "--data", TestData.CgiRoot, "--arch", "hand-landmark-upright", "--backbone", backbone,
            "--epochs", "2", "--image-size", "24", "--feature-copies", "1", "--head-hidden", "8", "--batch-size", "16"];
        string headOnly = Path.Combine(root, "head"), tuned = Path.Combine(root, "tuned");

        Assert.Equal(0, TrainerApp.Run([.. common, "--out", headOnly]));
        Assert.Equal(0, TrainerApp.Run([.. common, "--finetune-epochs", "2", "--finetune-stages", "1", "--out", tuned]));

        var before = Initializers(Path.Combine(headOnly, "model.onnx"));
        var after = Initializers(Path.Combine(tuned, "model.onnx"));
        // The final 1×1 convolution (operator 4) runs after the last residual block: the second pass reads a tuned copy.
        Assert.False(before.ContainsKey("hand_4_w_tuned"));
        Assert.NotEqual(after["hand_4_w"], after["hand_4_w_tuned"]);
        // The first pass, which places the hand, keeps the network's weights; so does everything before the cut.
        Assert.Equal(before["hand_4_w"], after["hand_4_w"]);
        Assert.Equal(before["hand_1_w"], after["hand_1_w"]);
        Assert.Equal(before["hand_2_w"], after["hand_2_w"]);
        var metadata = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(tuned, "model.onnx"))).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Contains("fine_tuned", metadata.Keys);
    }

    private static Dictionary<string, string> Initializers(string model) =>
        Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(model)).Graph.Initializer
            .ToDictionary(t => t.Name, t => Convert.ToBase64String(t.RawData.ToByteArray()));

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
