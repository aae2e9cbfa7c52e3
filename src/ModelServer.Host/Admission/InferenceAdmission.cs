using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Admission;

/// <summary>
/// Admission control in front of inference: at most <see cref="ServingOptions.MaxConcurrentRequests"/> predict or
/// classify requests (REST or gRPC) are worked on at once, bodies included, with a bounded FIFO queue behind them;
/// beyond that a request is answered UNAVAILABLE at once (REST 503 with TF Serving's JSON error, gRPC status 14),
/// before its body is read. Status, metadata and probes are never limited.
/// </summary>
internal static class InferenceAdmission
{
    private const string Message = "Server is overloaded: too many inference requests in flight; retry later";

    public static IServiceCollection AddInferenceAdmission(this IServiceCollection services, ServingOptions serving)
        => services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => IsInference(context)
                ? RateLimitPartition.GetConcurrencyLimiter("inference", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = serving.MaxConcurrentRequests,
                    QueueLimit = serving.MaxQueuedRequests,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })
                : RateLimitPartition.GetNoLimiter("other"));
            options.OnRejected = (rejected, cancellationToken) => RejectAsync(rejected.HttpContext, cancellationToken);
        });

    /// <summary>Predict and classify over REST (POST /v1/…:predict|classify) and gRPC (PredictionService).</summary>
    private static bool IsInference(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (HttpMethods.IsPost(context.Request.Method) && path.StartsWith("/v1/", StringComparison.OrdinalIgnoreCase))
        {
            return path.EndsWith(":predict", StringComparison.OrdinalIgnoreCase) || path.EndsWith(":classify", StringComparison.OrdinalIgnoreCase);
        }

        return path.StartsWith("/tensorflow.serving.PredictionService/", StringComparison.Ordinal)
               && !path.EndsWith("/GetModelMetadata", StringComparison.Ordinal);
    }

    private static async ValueTask RejectAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var response = context.Response;
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            // A trailers-only gRPC reply: HTTP 200 with the status in the headers.
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = "14";
            response.Headers["grpc-message"] = Message;
            return;
        }

        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString("error"u8, Message);
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
