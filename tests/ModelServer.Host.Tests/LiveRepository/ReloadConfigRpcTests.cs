using Grpc.Core;
using ModelServer.Testing;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.LiveRepository;

public sealed class ReloadConfigRpcTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly LiveServer _server;
    private readonly global::Grpc.Net.Client.GrpcChannel _channel;
    private readonly ModelService.ModelServiceClient _models;
    private readonly PredictionService.PredictionServiceClient _prediction;

    public ReloadConfigRpcTests()
    {
        TestModels.Publish(_directory.Path, "a", 1, TestModels.Versioned(1));
        TestModels.Publish(_directory.Path, "b", 1, TestModels.Versioned(11));
        TestModels.Publish(_directory.Path, "b", 2, TestModels.Versioned(12));
        _server = new LiveServer(_directory.Path);
        _channel = _server.Channel();
        _models = new ModelService.ModelServiceClient(_channel);
        _prediction = new PredictionService.PredictionServiceClient(_channel);
    }

    private ModelConfig Config(string name, params long[] specific)
    {
        var config = new ModelConfig { Name = name, BasePath = Path.Combine(_directory.Path, name), ModelPlatform = "tensorflow" };
        if (specific.Length > 0)
        {
            config.ModelVersionPolicy = new FileSystemStoragePathSourceConfig.Types.ServableVersionPolicy
            {
                Specific = new FileSystemStoragePathSourceConfig.Types.ServableVersionPolicy.Types.Specific(),
            };
            config.ModelVersionPolicy.Specific.Versions.AddRange(specific);
        }

        return config;
    }

    private static ReloadConfigRequest Request(params ModelConfig[] configs)
    {
        var request = new ReloadConfigRequest { Config = new ModelServerConfig { ModelConfigList = new ModelConfigList() } };
        request.Config.ModelConfigList.Config.AddRange(configs);
        return request;
    }

    [Fact]
    public async Task Reload_replaces_the_model_list_blocks_until_loaded_and_unloads_models_left_out()
    {
        var b = Config("b", 1, 2);
        b.VersionLabels["stable"] = 1;
        b.VersionLabels["canary"] = 2;

        var response = await _models.HandleReloadConfigRequestAsync(Request(b));

        Assert.Equal(Tensorflow.Error.Code.Ok, response.Status.ErrorCode);
        // Loaded by the time the call returns: no waiting needed.
        Assert.Equal((11f, 1L), await LiveServer.PredictAsync(_prediction, "b", label: "stable"));
        Assert.Equal((12f, 2L), await LiveServer.PredictAsync(_prediction, "b", label: "canary"));
        var gone = await Assert.ThrowsAsync<RpcException>(() => LiveServer.PredictAsync(_prediction, "a"));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal(ModelVersionStatus.Types.State.End, (await LiveServer.StatusAsync(_models, "a", 1))!.State);
    }

    [Fact]
    public async Task Only_a_model_config_list_is_accepted()
    {
        var request = new ReloadConfigRequest { Config = new ModelServerConfig { CustomModelConfig = new Google.Protobuf.WellKnownTypes.Any() } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => _models.HandleReloadConfigRequestAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("ServerModelConfig type not supported by HandleReloadConfigRequest.", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1L, (await LiveServer.PredictAsync(_prediction, "a")).Version);
    }

    [Fact]
    public async Task Duplicate_names_are_rejected_whole_and_nothing_changes()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _models.HandleReloadConfigRequestAsync(Request(Config("b"), Config("b", 1))).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("Illegal to list model b multiple times in config list", ex.Status.Detail);
        Assert.Equal(1L, (await LiveServer.PredictAsync(_prediction, "a")).Version);
        Assert.Equal(2L, (await LiveServer.PredictAsync(_prediction, "b")).Version);
    }

    [Fact]
    public async Task A_label_to_a_version_that_is_not_available_is_FAILED_PRECONDITION_with_TF_Servings_text()
    {
        var b = Config("b", 1);
        b.VersionLabels["canary"] = 2;

        var ex = await Assert.ThrowsAsync<RpcException>(() => _models.HandleReloadConfigRequestAsync(Request(Config("a"), b)).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("Request to assign label to version 2 of model b, which is not currently available for inference", ex.Status.Detail);
        Assert.Equal(1L, (await LiveServer.PredictAsync(_prediction, "b")).Version);
    }

    [Fact]
    public async Task A_version_that_fails_to_load_is_reported_in_the_reply_and_in_status()
    {
        var broken = Path.Combine(_directory.Path, "c");
        TestModels.Publish(_directory.Path, "c", 1, [1, 2, 3, 4]);

        var ex = await Assert.ThrowsAsync<RpcException>(() => _models.HandleReloadConfigRequestAsync(Request(Config("a"), Config("c"))).ResponseAsync);

        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.Contains("Version 1 of model c failed to load", ex.Status.Detail);
        var status = await LiveServer.StatusAsync(_models, "c", 1);
        Assert.Equal(ModelVersionStatus.Types.State.End, status!.State);
        Assert.Contains(broken, status.Status.ErrorMessage);
        Assert.Equal(1L, (await LiveServer.PredictAsync(_prediction, "a")).Version);
    }

    public void Dispose()
    {
        _channel.Dispose();
        _server.Dispose();
        _directory.Dispose();
    }
}
