using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelServer.Host.Tests.Images;
using ModelServer.Host.Tests.Infrastructure;
using ModelServer.Testing;

namespace ModelServer.Host.Tests.Configuration;

/// <summary>The listen backlog reaches Kestrel's socket transport (its own default, 512, overflowed under a burst).</summary>
[Collection(SerialHostStartCollection.Name)]
public sealed class ListenBacklogTests
{
    [Fact]
    public void TheDefaultBacklogQueues4096Connections()
    {
        using var directory = new TempDirectory();
        using var server = new ServerFactory(directory.Path);

        Assert.Equal(4096, server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.Backlog);
    }

    [Fact]
    public void TheBacklogIsASetting()
    {
        using var directory = new TempDirectory();
        using var server = new ServerFactory(directory.Path, new Dictionary<string, string?> { ["ModelServer:ListenBacklog"] = "100" });

        Assert.Equal(100, server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.Backlog);
    }

    [Fact]
    public void A_BacklogOfZero_StopsTheServerAtStart()
    {
        using var directory = new TempDirectory();
        var error = HostStartFailure.Capture<OptionsValidationException>(() =>
        {
            using var server = new ServerFactory(directory.Path, new Dictionary<string, string?> { ["ModelServer:ListenBacklog"] = "0" });
            _ = server.Server;
        });

        Assert.Contains("ListenBacklog", error.Message, StringComparison.Ordinal);
    }
}
