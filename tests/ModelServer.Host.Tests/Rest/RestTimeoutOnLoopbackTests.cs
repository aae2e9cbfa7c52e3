using System.Net;
using System.Net.Sockets;
using System.Text;
using ModelServer.Host.Tests.Infrastructure;

namespace ModelServer.Host.Tests.Rest;

/// <summary>
/// <c>--rest_api_timeout_in_ms</c> passing while the body is still arriving, over a real socket (Kestrel on loopback):
/// the caller gets the 504, and once it has sent the rest of its body the same keep-alive connection serves its next
/// request. A body read cancelled through its token leaves Kestrel's HTTP/1.1 body reader mid-read; Kestrel then
/// cannot drain the rest of the body, logs an error and closes the connection (under a REST overload, 1,100-1,300 such
/// errors per 30 s run).
/// </summary>
public sealed class RestTimeoutOnLoopbackTests
{
    [Fact]
    public async Task SlowBodyPastTheTimeoutGets504AndTheConnectionServesTheNextRequest()
    {
        using var server = new LoopbackServer(new Dictionary<string, string?> { ["ModelServer:RestApiTimeoutInMs"] = "300" });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.RestPort);
        byte[] body = Encoding.ASCII.GetBytes("{\"instances\": [" + string.Join(",", Enumerable.Repeat("1.5", 20_000)) + "]}");
        string head = "POST /v1/models/half_plus_two:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      + $"Content-Length: {body.Length}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        await socket.SendAsync(body.AsMemory(0, body.Length / 2));

        // The rest of the body is held back until the timeout has answered.
        string timedOut = await RawHttp.ReceiveResponseAsync(socket);
        Assert.StartsWith("HTTP/1.1 504 ", timedOut, StringComparison.Ordinal);
        Assert.Contains("--rest_api_timeout_in_ms", timedOut, StringComparison.Ordinal);

        await socket.SendAsync(body.AsMemory(body.Length / 2));
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /v1/models/half_plus_two HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        string next = await RawHttp.ReceiveResponseAsync(socket);
        Assert.StartsWith("HTTP/1.1 200 ", next, StringComparison.Ordinal);
        Assert.Contains("AVAILABLE", next, StringComparison.Ordinal);
    }
}
