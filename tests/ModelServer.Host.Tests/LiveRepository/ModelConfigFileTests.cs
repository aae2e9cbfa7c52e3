using System.Text.Json;
using Grpc.Core;
using ModelServer.Host.Tests.Infrastructure;
using ModelServer.Testing;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.LiveRepository;

public sealed class ModelConfigFileTests
{
    /// <summary>A TF Serving config as TF Serving's docs write it (platform "tensorflow", specific versions, labels).</summary>
    private static string TfServingConfig(string basePath, long first, long second) => $$"""
        # As deployed with TF Serving.
        model_config_list {
          config {
            name: "m"
            base_path: "{{basePath}}"
            model_platform: "tensorflow"
            model_version_policy { specific { versions: {{first}} versions: {{second}} } }
            version_labels { key: "stable" value: {{first}} }
            version_labels { key: "canary" value: {{second}} }
          }
        }
        """;

    [Fact]
    public async Task A_TF_Serving_model_config_list_with_specific_versions_and_labels_works_and_edits_move_the_labels_without_restart()
    {
        using var directory = new TempDirectory();
        var basePath = Path.Combine(directory.Path, "models", "m");
        for (var v = 1; v <= 3; v++)
        {
            TestModels.Publish(Path.Combine(directory.Path, "models"), "m", v, TestModels.Versioned(v));
        }

        var configFile = Path.Combine(directory.Path, "models.config");
        await File.WriteAllTextAsync(configFile, TfServingConfig(basePath, 1, 2));
        using var server = new LiveServer(Path.Combine(directory.Path, "unused"), new Dictionary<string, string?>
        {
            ["ModelServer:ModelConfigFile"] = configFile,
            ["ModelServer:ModelConfigFilePollWaitSeconds"] = "0.05",
        });
        using var http = server.CreateClient();
        using var channel = server.Channel();
        var prediction = new PredictionService.PredictionServiceClient(channel);

        Assert.Equal((1f, 1L), await LiveServer.PredictAsync(prediction, "m", label: "stable"));
        Assert.Equal((2f, 2L), await LiveServer.PredictAsync(prediction, "m", label: "canary"));
        Assert.Equal(2.0, await RestPredictAsync(http, "/v1/models/m/labels/canary:predict"));
        Assert.Equal(1.0, await RestPredictAsync(http, "/v1/models/m/labels/stable:predict"));
        var ex = await Assert.ThrowsAsync<RpcException>(() => LiveServer.PredictAsync(prediction, "m", version: 3));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);

        // The canary becomes stable and version 3 the new canary, without a restart.
        await File.WriteAllTextAsync(configFile, TfServingConfig(basePath, 2, 3));
        await LiveServer.WaitUntilAsync("canary on version 3", async () => (await LiveServer.PredictAsync(prediction, "m", label: "canary")).Version == 3);
        Assert.Equal((2f, 2L), await LiveServer.PredictAsync(prediction, "m", label: "stable"));
        Assert.Equal(3.0, await RestPredictAsync(http, "/v1/models/m/labels/canary:predict"));
        await LiveServer.WaitUntilAsync("version 1 unloaded", async () =>
            (await LiveServer.StatusAsync(new ModelService.ModelServiceClient(channel), "m", 1))?.State == ModelVersionStatus.Types.State.End);
    }

    [Fact]
    public async Task A_config_edit_with_an_error_is_rejected_whole_and_the_previous_config_keeps_serving()
    {
        using var directory = new TempDirectory();
        var models = Path.Combine(directory.Path, "models");
        TestModels.Publish(models, "a", 1, TestModels.Versioned(1));
        TestModels.Publish(models, "b", 5, TestModels.Versioned(5));
        var configFile = Path.Combine(directory.Path, "models.config");
        await File.WriteAllTextAsync(configFile, $$"""
            model_config_list { config { name: "a" base_path: "{{models}}/a" } config { name: "b" base_path: "{{models}}/b" } }
            """);
        using var server = new LiveServer(Path.Combine(directory.Path, "unused"), new Dictionary<string, string?>
        {
            ["ModelServer:ModelConfigFile"] = configFile,
            ["ModelServer:ModelConfigFilePollWaitSeconds"] = "0.05",
        });
        using var channel = server.Channel();
        var prediction = new PredictionService.PredictionServiceClient(channel);
        Assert.Equal(5L, (await LiveServer.PredictAsync(prediction, "b")).Version);

        var edits = new (string Text, string Expected)[]
        {
            ($$"""model_config_list { config { name: "a" base_path: "{{models}}/a" } config { name: "a" base_path: "{{models}}/b" } }""", "Illegal to list model a multiple times in config list"),
            ("""model_config_list { config { name: "a" base_path: "relative/a" } }""", "Expected model a to have an absolute path or URI; got base_path()=relative/a"),
            ($$"""model_config_list { config { name: "a" base_path: "{{models}}/../models/a" } }""", "'..' segments are refused"),
            ($$"""model_config_list { config { name: "a" base_path: "{{models}}/a" }""", "before the end of the text"),
            ("""model_config_list { config { nmae: "a" } }""", "has no field named 'nmae'"),
        };
        foreach (var (text, expected) in edits)
        {
            await File.WriteAllTextAsync(configFile, text);
            await LiveServer.WaitUntilAsync($"rejection naming '{expected}'", () =>
                Task.FromResult(server.Log.Any(l => l.StartsWith("4050 ", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal))));

            // Both models still serve: nothing of the rejected config was applied.
            Assert.Equal(1L, (await LiveServer.PredictAsync(prediction, "a")).Version);
            Assert.Equal(5L, (await LiveServer.PredictAsync(prediction, "b")).Version);
        }

        // A valid config that drops b unloads it.
        await File.WriteAllTextAsync(configFile, $$"""model_config_list { config { name: "a" base_path: "{{models}}/a" } }""");
        await LiveServer.WaitUntilAsync("b unloaded", async () =>
        {
            try
            {
                await LiveServer.PredictAsync(prediction, "b");
                return false;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                return true;
            }
        });
        Assert.Equal(1L, (await LiveServer.PredictAsync(prediction, "a")).Version);
    }

    [Fact]
    public void A_config_file_that_does_not_parse_stops_the_server_at_start_with_the_reason()
    {
        using var directory = new TempDirectory();
        var configFile = Path.Combine(directory.Path, "models.config");
        File.WriteAllText(configFile, """model_config_list { config { name: "a" base_path: "/x" } config { name: "a" base_path: "/y" } }""");
        var ex = HostStartFailure.Capture<InvalidOperationException>(() =>
        {
            using var server = new LiveServer(directory.Path, new Dictionary<string, string?> { ["ModelServer:ModelConfigFile"] = configFile });
            _ = server.Server;
        });
        Assert.Contains("Illegal to list model a multiple times in config list", ex.Message);
        Assert.Contains(configFile, ex.Message);
    }

    private static async Task<double> RestPredictAsync(HttpClient http, string path)
    {
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), new StringContent("""{"instances": [0.0]}"""));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("predictions")[0].GetDouble();
    }
}
