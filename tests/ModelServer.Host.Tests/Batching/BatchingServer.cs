using Grpc.Net.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ModelServer.Host.Tests.Infrastructure;
using ModelServer.Runtime.Batching;
using ModelServer.Testing;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Batching;

/// <summary>The real host with batching on (flags and a parameters file) over a repository holding the dense model.</summary>
internal sealed class BatchingServer : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ServerFactory _factory;
    private readonly Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _host;

    public BatchingServer(string parameters, string? modelConfigJson = null, bool enableBatching = true, int restTimeoutMs = 30_000)
    {
        TestModels.Publish(_directory.Path, "dense", 1, TestModels.Dense());
        if (modelConfigJson is not null)
        {
            File.WriteAllText(Path.Combine(_directory.Path, "dense", "config.json"), modelConfigJson);
        }

        var file = Path.Combine(_directory.Path, "batching.pbtxt");
        File.WriteAllText(file, parameters);
        _factory = new ServerFactory(_directory.Path, new Dictionary<string, string?>
        {
            ["ModelServer:EnableBatching"] = enableBatching ? "true" : "false",
            ["ModelServer:BatchingParametersFile"] = file,
            ["ModelServer:RestApiTimeoutInMs"] = restTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        _host = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<IBatchExecutor>(Executor)));
        Http = _host.CreateClient();
        Channel = GrpcChannel.ForAddress(_host.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = _host.Server.CreateHandler() });
        Prediction = new PredictionService.PredictionServiceClient(Channel);
    }

    public HeldExecutor Executor { get; } = new();

    public HttpClient Http { get; }

    public GrpcChannel Channel { get; }

    public PredictionService.PredictionServiceClient Prediction { get; }

    public T GetService<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    public void Dispose()
    {
        Executor.Open();
        Channel.Dispose();
        Http.Dispose();
        _host.Dispose();
        _factory.Dispose();
        _directory.Dispose();
    }
}
