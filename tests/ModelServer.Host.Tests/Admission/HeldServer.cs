using System.Collections.Concurrent;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelServer.Host.Tests.Batching;
using ModelServer.Host.Tests.Infrastructure;
using ModelServer.Runtime.Batching;
using ModelServer.Testing;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Admission;

/// <summary>
/// The real host with batching on and the real ONNX Runtime executor behind a gate (<see cref="HeldExecutor"/>):
/// a request inside it keeps its admission slot until the test opens the gate. Disposing opens the gate first.
/// </summary>
internal sealed class HeldServer : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ServerFactory _factory;

    public HeldServer(IDictionary<string, string?> settings, bool kestrel = false)
    {
        var all = new Dictionary<string, string?>(settings) { ["ModelServer:EnableBatching"] = "true" };
        _factory = ServerFactory.WithStandardModels(_directory, all);
        Host = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services
            .AddSingleton<IBatchExecutor>(Executor)
            .AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(Log))));
        if (kestrel)
        {
            Host.UseKestrel();
            Host.StartServer();
        }
    }

    public HeldExecutor Executor { get; } = new();

    /// <summary>What the server logged at Information and above (see <see cref="CapturingLoggerProvider"/>).</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public WebApplicationFactory<Program> Host { get; }

    /// <summary>A gRPC client over the in-memory test server (not for Kestrel mode); the channel is the caller's to dispose.</summary>
    public (GrpcChannel Channel, PredictionService.PredictionServiceClient Client) CreateGrpcClient()
    {
        var channel = GrpcChannel.ForAddress(Host.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Host.Server.CreateHandler() });
        return (channel, new PredictionService.PredictionServiceClient(channel));
    }

    /// <summary>Closes the gate and sends a REST predict that then holds its slot inside the executor until <see cref="HeldExecutor.Open"/>.</summary>
    public async Task<Task<HttpResponseMessage>> HoldOneRequestAsync(HttpClient client, string instances)
    {
        ArgumentNullException.ThrowIfNull(client);
        Executor.Close();
        var inFlight = Predict(client, instances);
        await Executor.WaitForRunAsync();
        return inFlight;
    }

    /// <summary>A REST predict on half_plus_two with these instances (a JSON array's contents).</summary>
    public static Task<HttpResponseMessage> Predict(HttpClient client, string instances)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.PostAsync(new Uri("/v1/models/half_plus_two:predict", UriKind.Relative), new StringContent($$"""{"instances": [{{instances}}]}"""));
    }

    public void Dispose()
    {
        Executor.Open();
        Host.Dispose();
        _factory.Dispose();
        _directory.Dispose();
    }
}
