using System.Net;
using System.Net.Sockets;
using System.Text;
using ModelServer.Host.Tests.Infrastructure;

namespace ModelServer.Host.Tests.Rest;

/// <summary>
/// A REST client that resets its connection while the server is reading its predict body (it timed out, or its
/// process ended), over a real socket (Kestrel on loopback): the server logs no error for it and keeps serving. A body
/// read that throws leaves Kestrel's HTTP/1.1 body reader mid-read, and Kestrel's own drain of the body then logs
/// "automatic draining of the request body failed" (event 67) at Error level for each such client.
/// </summary>
public sealed class RestClientResetOnLoopbackTests
{
    [Fact]
    public async Task ClientThatResetsMidBodyLeavesNoServerError()
    {
        var server = new LoopbackServer();
        try
        {
            byte[] body = Encoding.ASCII.GetBytes("{\"instances\": [" + string.Join(",", Enumerable.Repeat("1.5", 20_000)) + "]}");
            string head = "POST /v1/models/half_plus_two:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          + $"Content-Length: {body.Length}\r\n\r\n";
            for (int i = 0; i < 20; i++)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, server.RestPort);
                await socket.SendAsync(Encoding.ASCII.GetBytes(head));
                await socket.SendAsync(body.AsMemory(0, body.Length / 2));

                // The server is waiting for the rest by now; a reset that arrives with the request itself is never seen.
                await Task.Delay(50);
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.RestPort}") };
            using var after = await client.PostAsync(new Uri("/v1/models/half_plus_two:predict", UriKind.Relative), new StringContent("{\"instances\": [5.0]}"));
            Assert.Equal("""{"predictions":[4.5]}""", await after.Content.ReadAsStringAsync());
        }
        finally
        {
            // Stopping waits for every connection to be done with, so whatever they logged is in by now.
            server.Dispose();
        }

        Assert.DoesNotContain(server.Log, line => line.Contains(" Error ", StringComparison.Ordinal) || line.Contains(" Critical ", StringComparison.Ordinal));
    }
}
