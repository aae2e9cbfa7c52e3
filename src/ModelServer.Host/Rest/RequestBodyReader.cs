using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
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

        var body = await ReadRawAsync(request.BodyReader, request.ContentLength, limit, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }

        // The compressed bytes are at most the limit too (Kestrel's MaxRequestBodySize), so they are read whole first
        // and inflated from memory: no stream over the body that a timeout would have to cancel mid-read.
        using (body)
        {
            return Inflate(body, limit);
        }
    }

    /// <summary>
    /// The body as sent. A timeout ends a pending read through <see cref="PipeReader.CancelPendingRead"/>, not the
    /// read's token, and every read is advanced, cancelled or not: a read cancelled by its token leaves Kestrel's
    /// HTTP/1.1 body reader mid-read, so after the 504 Kestrel cannot drain the rest of the body, logs an error and
    /// closes the connection (1,100-1,300 times in a 30 s REST overload).
    /// </summary>
    private static async Task<PooledBufferWriter> ReadRawAsync(PipeReader reader, long? length, long limit, CancellationToken cancellationToken)
    {
        var buffer = new PooledBufferWriter((int)Math.Min(length ?? 16 * 1024, limit), limit);
        using var registration = cancellationToken.UnsafeRegister(static state => ((PipeReader)state!).CancelPendingRead(), reader);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                var data = result.Buffer;
                bool fits = data.IsEmpty || (data.Length <= int.MaxValue && buffer.TryEnsure((int)data.Length));
                if (fits && !data.IsEmpty)
                {
                    data.CopyTo(buffer.GetSpan((int)data.Length));
                    buffer.Advance((int)data.Length);
                }

                reader.AdvanceTo(data.End);
                if (!fits)
                {
                    throw TooLarge(limit);
                }

                if (result.IsCanceled)
                {
                    throw new OperationCanceledException(cancellationToken);
                }

                if (result.IsCompleted)
                {
                    return buffer;
                }
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static PooledBufferWriter Inflate(PooledBufferWriter compressed, long limit)
    {
        var bytes = compressed.WrittenSegment;
        var buffer = new PooledBufferWriter((int)Math.Min(Math.Max(bytes.Count * 4L, 16 * 1024), limit), limit);
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false), CompressionMode.Decompress);
            while (true)
            {
                if (!buffer.TryEnsure(16 * 1024) && !buffer.TryEnsure(1))
                {
                    throw TooLarge(limit);
                }

                int read;
                try
                {
                    read = gzip.Read(buffer.GetSpan(1));
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
    }

    private static ServingException TooLarge(long limit)
        => new(ServingErrorCode.InvalidArgument, $"Request body is larger than the limit of {limit} bytes (MaxRequestBytes)");
}
