using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Rest;

/// <summary>
/// Buffers a request body into a pooled array, refusing it before buffering when its declared length is over
/// the limit and as soon as it grows past the limit otherwise (chunked or gzip bodies, decompressed size counted).
/// </summary>
internal static class RequestBodyReader
{
    public static async Task<PooledBufferWriter> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        var gzip = string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase);
        var source = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : request.Body;
        var buffer = new PooledBufferWriter((int)Math.Min(request.ContentLength ?? 16 * 1024, limit), limit);
        try
        {
            while (true)
            {
                if (!buffer.TryEnsure(16 * 1024) && !buffer.TryEnsure(1))
                {
                    throw TooLarge(limit);
                }

                int read;
                try
                {
                    read = await source.ReadAsync(buffer.GetMemory(1), cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException ex)
                {
                    throw ServingException.InvalidArgument($"Request body is not valid gzip: {ex.Message}");
                }

                if (read == 0)
                {
                    return buffer;
                }

                buffer.Advance(read);
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        finally
        {
            if (gzip)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static ServingException TooLarge(long limit)
        => new(ServingErrorCode.InvalidArgument, $"Request body is larger than the limit of {limit} bytes (MaxRequestBytes)");
}
