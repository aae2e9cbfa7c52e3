using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ModelServer.Host.Tests.Batching;
using ModelServer.Host.Tests.Infrastructure;
using ModelServer.Runtime.Batching;
using ModelServer.Testing;

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
        Host = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<IBatchExecutor>(Executor)));
        if (kestrel)
        {
            Host.UseKestrel();
            Host.StartServer();
        }
    }

    public HeldExecutor Executor { get; } = new();

    public WebApplicationFactory<Program> Host { get; }

    public void Dispose()
    {
        Executor.Open();
        Host.Dispose();
        _factory.Dispose();
        _directory.Dispose();
    }
}
