using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelServer.Testing;

namespace ModelServer.Host.Tests.Infrastructure;

/// <summary>
/// The real host with the standard test models on Kestrel over loopback, for what only real sockets show (HTTP/1.1
/// connection reuse, resets, partial bodies), with its log captured (<see cref="CapturingLoggerProvider"/>).
/// Disposing stops it, which waits for every connection to be done with: the log is complete after that.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ServerFactory _factory;
    private readonly WebApplicationFactory<Program> _host;

    public LoopbackServer(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>(), StringComparer.Ordinal)
        {
            ["ModelServer:Port"] = LoopbackPort.Free().ToString(CultureInfo.InvariantCulture),
            ["ModelServer:RestApiPort"] = RestPort.ToString(CultureInfo.InvariantCulture),
        };
        _factory = ServerFactory.WithStandardModels(_directory, all);
        _host = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(
            services => services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(Log))));
        _host.UseKestrel();
        _host.StartServer();
    }

    public int RestPort { get; } = LoopbackPort.Free();

    public ConcurrentQueue<string> Log { get; } = new();

    public void Dispose()
    {
        _host.Dispose();
        _factory.Dispose();
        _directory.Dispose();
    }
}
