using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelServer.Host.Tests.Infrastructure;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.LiveRepository;

/// <summary>
/// The real host over a repository the test changes while it serves, with a fast poll and the log captured, so
/// tests can wait for what the server reports (bounded waits, never timing asserts).
/// </summary>
public sealed class LiveServer : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public LiveServer(string repository, IDictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ModelServer:ModelRepository"] = repository,
            ["ModelServer:OnnxRuntime:ExecutionProvider"] = "cpu",
            ["ModelServer:FileSystemPollWaitSeconds"] = "0.05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public ConcurrentQueue<string> Log { get; } = new();

    public GrpcChannel Channel() => GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(Log)));
    }

    public static async Task WaitUntilAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The version's state as GetModelStatus reports it, or null while the model or version is unknown.</summary>
    public static async Task<ModelVersionStatus?> StatusAsync(ModelService.ModelServiceClient client, string model, long version)
    {
        try
        {
            var response = await client.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = model, Version = version } });
            return response.ModelVersionStatus.Single();
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Predicts y for x = 0 (a <see cref="Testing.TestModels.Versioned"/> model answers its version) and the version the reply names.</summary>
    public static async Task<(float Y, long Version)> PredictAsync(PredictionService.PredictionServiceClient client, string model, string? label = null, long? version = null)
    {
        var spec = new ModelSpec { Name = model };
        if (label is not null)
        {
            spec.VersionLabel = label;
        }

        if (version is { } v)
        {
            spec.Version = v;
        }

        var request = new PredictRequest { ModelSpec = spec };
        var x = new TensorProto { Dtype = DataType.DtFloat, TensorShape = new TensorShapeProto() };
        x.TensorShape.Dim.Add(new TensorShapeProto.Types.Dim { Size = 1 });
        x.FloatVal.Add(0f);
        request.Inputs["x"] = x;
        var response = await client.PredictAsync(request);
        return (response.Outputs["y"].FloatVal[0], response.ModelSpec.Version ?? -1);
    }
}
