using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Rest;

/// <summary>TF Serving's REST error reply: <c>{ "error": "…" }</c> with its code → HTTP status table.</summary>
internal static class RestErrors
{
    public static int ToHttpStatus(ServingErrorCode code) => code switch
    {
        ServingErrorCode.Ok => 200,
        ServingErrorCode.Cancelled => 499,
        ServingErrorCode.InvalidArgument => 400,
        ServingErrorCode.DeadlineExceeded => 504,
        ServingErrorCode.NotFound => 404,
        ServingErrorCode.AlreadyExists => 409,
        ServingErrorCode.PermissionDenied => 403,
        ServingErrorCode.ResourceExhausted => 429,
        ServingErrorCode.FailedPrecondition => 400,
        ServingErrorCode.Aborted => 409,
        ServingErrorCode.OutOfRange => 400,
        ServingErrorCode.Unimplemented => 501,
        ServingErrorCode.Unavailable => 503,
        ServingErrorCode.Unauthenticated => 401,
        _ => 500,
    };

    public static Task WriteAsync(HttpContext context, ServingException error) => WriteAsync(context, ToHttpStatus(error.Code), error.Message);

    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString("error"u8, message);
        writer.WriteEndObject();
    }
}
