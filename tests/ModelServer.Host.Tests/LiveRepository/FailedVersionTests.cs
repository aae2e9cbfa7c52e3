using System.Text.Json;
using ModelServer.Testing;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.LiveRepository;

public sealed class FailedVersionTests
{
    [Fact]
    public async Task A_truncated_model_onnx_as_a_new_version_leaves_the_previous_serving_and_status_shows_its_error()
    {
        using var directory = new TempDirectory();
        TestModels.Publish(directory.Path, "m", 1, TestModels.Versioned(1));
        using var server = new LiveServer(directory.Path);
        using var http = server.CreateClient();
        using var channel = server.Channel();
        var prediction = new PredictionService.PredictionServiceClient(channel);

        var model = TestModels.Versioned(2);
        TestModels.PublishAtomically(directory.Path, "m", 2, model[..(model.Length / 2)]);

        JsonElement version2 = default;
        await LiveServer.WaitUntilAsync("version 2 reported", async () =>
        {
            using var response = await http.GetAsync(new Uri("/v1/models/m", UriKind.Relative));
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            var found = body.GetProperty("model_version_status").EnumerateArray().Where(s => s.GetProperty("version").GetString() == "2").ToArray();
            version2 = found.FirstOrDefault();
            return found.Length == 1 && version2.GetProperty("state").GetString() == "END";
        });

        var status = version2.GetProperty("status");
        Assert.Equal("UNKNOWN", status.GetProperty("error_code").GetString());
        Assert.Contains("model.onnx", status.GetProperty("error_message").GetString());
        Assert.Equal((1f, 1L), await LiveServer.PredictAsync(prediction, "m"));

        using var rest = await http.PostAsync(new Uri("/v1/models/m:predict", UriKind.Relative), new StringContent("""{"instances": [0.0]}"""));
        var predictions = JsonDocument.Parse(await rest.Content.ReadAsStringAsync()).RootElement.GetProperty("predictions");
        Assert.Equal(1.0, predictions[0].GetDouble());

        // Replaced with good files, the version is retried and takes over.
        Directory.Delete(Path.Combine(directory.Path, "m", "2"), recursive: true);
        TestModels.PublishAtomically(directory.Path, "m", 2, model);
        await LiveServer.WaitUntilAsync("version 2 serving", async () => (await LiveServer.PredictAsync(prediction, "m")).Version == 2);
        Assert.Equal((2f, 2L), await LiveServer.PredictAsync(prediction, "m"));
    }

    [Fact]
    public async Task A_missing_repository_at_start_is_reported_and_served_once_it_appears()
    {
        using var directory = new TempDirectory();
        var root = Path.Combine(directory.Path, "later");
        using var server = new LiveServer(root);
        using var channel = server.Channel();
        var prediction = new PredictionService.PredictionServiceClient(channel);
        _ = server.Server;

        Assert.Contains(server.Log, l => l.StartsWith("4001 ", StringComparison.Ordinal) && l.Contains(root, StringComparison.Ordinal) && l.Contains("does not exist", StringComparison.Ordinal));

        TestModels.PublishAtomically(root, "m", 3, TestModels.Versioned(3));
        await LiveServer.WaitUntilAsync("model m serving", async () =>
        {
            try
            {
                return (await LiveServer.PredictAsync(prediction, "m")).Version == 3;
            }
            catch (global::Grpc.Core.RpcException)
            {
                return false;
            }
        });
        Assert.Contains(server.Log, l => l.StartsWith("4002 ", StringComparison.Ordinal));
    }
}
