using System.IO.Pipelines;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Admission;

/// <summary>
/// Admission control in front of inference: at most <see cref="ServingOptions.MaxConcurrentRequests"/> predict or
/// classify requests (REST and gRPC together) are worked on at once, bodies included; beyond that a request is
/// answered UNAVAILABLE at once (REST 503 with TF Serving's JSON error, gRPC status 14) without its body being
/// parsed: a REST reply goes out before the body is read, a gRPC one after (see <see cref="RejectAsync"/>).
/// Status, metadata and probes are never limited.
/// <para>
/// Only REST requests wait for a slot, in a bounded FIFO (<see cref="ServingOptions.MaxQueuedRequests"/>, at most
/// <see cref="ServingOptions.MaxQueueWaitMs"/>, so no request in it outlives a client's timeout): each
/// HTTP/1.1 request has its connection to itself. A gRPC request never waits in front of its body. Over HTTP/2 the
/// bodies of waiting requests would fill the connection's flow-control window (1 MB, shared by every stream on the
/// connection), and the request holding a slot could then never receive its own body: measured, a gRPC overload
/// stalled this way until 320 admitted requests (the slots plus the queue) hit their deadline. gRPC requests wait
/// after their body is read, in the batcher's own bounded queue.
/// </para>
/// </summary>
internal sealed class InferenceAdmission : IDisposable
{
    private const string Message = "Server is overloaded: too many inference requests in flight; retry later";

    // TF Serving's JSON error shape around the same message (nothing in it needs escaping).
    private static readonly byte[] RestRejection = Encoding.UTF8.GetBytes("{\"error\":\"" + Message + "\"}");

    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _maxQueueWait;
    private readonly TimeProvider _time;

    public InferenceAdmission(IOptions<ServingOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _maxQueueWait = TimeSpan.FromMilliseconds(options.Value.MaxQueueWaitMs);
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.MaxConcurrentRequests,
            QueueLimit = options.Value.MaxQueuedRequests,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var kind = Classify(context);
        if (kind == RequestKind.Other)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // A free slot is taken without waiting (no timers or token sources on the common path); only a REST request
        // that finds none waits for one.
        var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired && kind == RequestKind.Rest)
        {
            lease.Dispose();
            lease = await WaitForSlotAsync(context).ConfigureAwait(false);
        }

        using var held = lease;
        try
        {
            if (!held.IsAcquired)
            {
                await RejectAsync(context, kind).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The client reset its connection mid-request (it gave up, or its process ended): nobody reads a reply.
            // Every body an inference request has is read in here (the refusal's drain, REST predict and classify), so
            // this is the one place for it. Aborting marks the connection as gone before Kestrel drains the body itself:
            // a body read that threw leaves Kestrel's HTTP/1.1 reader mid-read, and Kestrel would log an error (event 67)
            // for every such client, besides the unhandled exception.
            context.Abort();
        }
    }

    public void Dispose() => _limiter.Dispose();

    /// <summary>A REST request's slot, waiting at most <see cref="ServingOptions.MaxQueueWaitMs"/>; a failed lease past that.</summary>
    private async ValueTask<RateLimitLease> WaitForSlotAsync(HttpContext context)
    {
        using var wait = new CancellationTokenSource(_maxQueueWait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, context.RequestAborted);
        try
        {
            return await _limiter.AcquireAsync(1, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            return QueueTimeout.Instance;
        }
    }

    /// <summary>Predict and classify over REST (POST /v1/…:predict|classify) and gRPC (PredictionService but metadata).</summary>
    private static RequestKind Classify(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (HttpMethods.IsPost(context.Request.Method) && path.StartsWith("/v1/", StringComparison.OrdinalIgnoreCase))
        {
            return path.EndsWith(":predict", StringComparison.OrdinalIgnoreCase) || path.EndsWith(":classify", StringComparison.OrdinalIgnoreCase)
                ? RequestKind.Rest
                : RequestKind.Other;
        }

        return path.StartsWith("/tensorflow.serving.PredictionService/", StringComparison.Ordinal)
               && !path.EndsWith("/GetModelMetadata", StringComparison.Ordinal)
            ? RequestKind.Grpc
            : RequestKind.Other;
    }

    private static async Task RejectAsync(HttpContext context, RequestKind kind)
    {
        var response = context.Response;
        if (kind == RequestKind.Grpc)
        {
            // Over HTTP/2 the body is read before answering: a stream answered while its body is still coming is reset,
            // and Kestrel counts those resets against the connection until it faults it with ENHANCE_YOUR_CALM
            // (measured: 3,279 calls failed RESOURCE_EXHAUSTED, admitted ones included). Reading costs a copy; parsing
            // is what admission saves. A trailers-only gRPC reply: HTTP 200 with the status in the headers.
            await DrainAsync(context).ConfigureAwait(false);
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = "14";
            response.Headers["grpc-message"] = Message;
            return;
        }

        // REST: the 503 goes out first (its length set, so it is complete once flushed), then the rest of the body is
        // read and dropped. Closing instead would reset the connection, and an HTTP/1.1 client then sees the reset
        // rather than the 503 (measured: 2,578 resets); read to the end, the connection is kept. A client that reads
        // while it writes (curl stops its upload on an early error) or asks with Expect: 100-continue (no 100 is sent
        // once the reply has started) has its answer without uploading the body. .NET's HttpClient without Expect
        // still sends the whole body before it reads the reply, so for it this changes nothing.
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.ContentType = "application/json";
        response.ContentLength = RestRejection.Length;
        await response.Body.WriteAsync(RestRejection, context.RequestAborted).ConfigureAwait(false);
        await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        await DrainAsync(context).ConfigureAwait(false);
    }

    private static async Task DrainAsync(HttpContext context)
    {
        // Straight from the request's pipe: each read is advanced past whole, so Kestrel's blocks go back to its pool
        // without being copied anywhere (with a copy into a 16 KB buffer, a REST overload answered about a fifth
        // fewer 503s, and its median refusal took twice as long). A client that goes away ends the pending read through
        // CancelPendingRead, not the read's token, which would leave Kestrel's HTTP/1.1 body reader mid-read; a reset
        // connection throws out to InvokeAsync, which aborts it. The body is
        // bounded by Kestrel's MaxRequestBodySize and its minimum data rate; reading past the size limit throws, and the
        // connection is closed as it would be anyway.
        var reader = context.Request.BodyReader;
        using var registration = context.RequestAborted.UnsafeRegister(static state => ((PipeReader)state!).CancelPendingRead(), reader);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or BadHttpRequestException)
        {
        }
    }

    /// <summary>The failed lease of a request that waited its longest for a slot.</summary>
    private sealed class QueueTimeout : RateLimitLease
    {
        public static readonly QueueTimeout Instance = new();

        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    private enum RequestKind
    {
        Other,
        Rest,
        Grpc,
    }
}
