using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ModelServer.Host.Tests.Infrastructure;

/// <summary>HTTP/1.1 read off a raw socket, for tests that need control over how a request's bytes are sent.</summary>
internal static class RawHttp
{
    /// <summary>One response (a Content-Length or chunked body); fails if the server closes the connection first.</summary>
    public static async Task<string> ReceiveResponseAsync(Socket socket)
    {
        var reply = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            string text = reply.ToString();
            int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0 && text.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
            {
                if (text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    return text;
                }
            }
            else if (headEnd >= 0)
            {
                int at = text.IndexOf("Content-Length: ", StringComparison.OrdinalIgnoreCase);
                Assert.True(at >= 0 && at < headEnd, "no Content-Length in " + text);
                int end = text.IndexOf("\r\n", at, StringComparison.Ordinal);
                int length = int.Parse(text.AsSpan(at + 16, end - at - 16), CultureInfo.InvariantCulture);
                if (text.Length >= headEnd + 4 + length)
                {
                    return text;
                }
            }

            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.True(read > 0, "the server closed the connection; received so far: " + text);
            reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }
}
