using Grpc.Core;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Grpc;

/// <summary>Runs a service method body, turning serving errors and cancellations into gRPC status codes.</summary>
internal static class GrpcCalls
{
    private static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(100);

    public static async Task<T> Run<T>(ServerCallContext context, TimeProvider time, Func<Task<T>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (ServingException ex)
        {
            throw GrpcErrors.ToRpc(ex);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The server's deadline timer can fire a hair before the clock reaches Deadline, and a client's own deadline
            // fires first (the server's copy starts when the request arrives) and aborts the request: both are deadlines.
            // Only a client that went away well before its deadline (or had none) cancelled.
            var clientGone = context.GetHttpContext().RequestAborted.IsCancellationRequested;
            var expired = context.Deadline != DateTime.MaxValue && (!clientGone || context.Deadline <= time.GetUtcNow().UtcDateTime + DeadlineSlack);
            throw new RpcException(expired
                ? new Status(StatusCode.DeadlineExceeded, "Deadline exceeded before the request completed")
                : new Status(StatusCode.Cancelled, "Request cancelled by the client"));
        }
    }

    public static Tensorflow.Serving.ModelSpec RequireSpec(Tensorflow.Serving.ModelSpec? spec)
        => spec ?? throw ServingException.InvalidArgument("Missing ModelSpec");

    public static long? Version(Tensorflow.Serving.ModelSpec spec)
        => spec.VersionChoiceCase == Tensorflow.Serving.ModelSpec.VersionChoiceOneofCase.Version ? spec.Version : null;

    public static string? Label(Tensorflow.Serving.ModelSpec spec)
        => spec.VersionChoiceCase == Tensorflow.Serving.ModelSpec.VersionChoiceOneofCase.VersionLabel ? spec.VersionLabel : null;
}
