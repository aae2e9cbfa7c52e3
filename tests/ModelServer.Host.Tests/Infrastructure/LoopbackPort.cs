using System.Net;
using System.Net.Sockets;

namespace ModelServer.Host.Tests.Infrastructure;

/// <summary>A loopback TCP port that was free a moment ago, for tests that run Kestrel on real sockets.</summary>
internal static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
