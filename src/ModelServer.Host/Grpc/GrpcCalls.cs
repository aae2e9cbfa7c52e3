using Grpc.Core;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Grpc;

/// <summary>Runs a service method body, turning serving errors and cancellations into gRPC status codes.</summary>
internal static class GrpcCalls
{
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
            var expired = context.Deadline != DateTime.MaxValue && context.Deadline <= time.GetUtcNow().UtcDateTime;
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
