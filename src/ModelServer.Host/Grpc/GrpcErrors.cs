using Grpc.Core;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Grpc;

/// <summary>Serving errors as gRPC status: TF error codes are gRPC codes, one to one; long messages are cut as TF cuts them.</summary>
internal static class GrpcErrors
{
    private const int MaxMessageLength = 1024;

    public static RpcException ToRpc(ServingException ex) => new(new Status((StatusCode)(int)ex.Code, Truncate(ex.Message)));

    public static string Truncate(string message)
        => message.Length <= MaxMessageLength ? message : string.Concat(message.AsSpan(0, MaxMessageLength), "...TRUNCATED");
}
