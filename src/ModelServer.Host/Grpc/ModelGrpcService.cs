using Grpc.Core;
using ModelServer.Host.ConfigReload;
using ModelServer.Host.TensorFlow;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using Tensorflow.Serving;

namespace ModelServer.Host.Grpc;

/// <summary><c>tensorflow.serving.ModelService</c>: model status and config reload.</summary>
internal sealed class ModelGrpcService : ModelService.ModelServiceBase
{
    private readonly ModelManager _models;
    private readonly ModelConfigReloader _reloader;
    private readonly TimeProvider _time;

    public ModelGrpcService(ModelManager models, ModelConfigReloader reloader, TimeProvider time)
    {
        _models = models;
        _reloader = reloader;
        _time = time;
    }

    /// <summary>
    /// TF Serving's reload: only a <c>model_config_list</c>; it replaces the served list and answers once the models
    /// are loaded (bounded by ReloadConfigTimeoutSeconds). Errors come back as the gRPC status (a failed call carries
    /// no response message, so the response's <c>status</c> is set only on success, to OK).
    /// </summary>
    public override Task<ReloadConfigResponse> HandleReloadConfigRequest(ReloadConfigRequest request, ServerCallContext context)
        => GrpcCalls.Run(context, _time, async () =>
        {
            await _reloader.ReloadAsync(request.Config ?? new ModelServerConfig(), context.CancellationToken).ConfigureAwait(false);
            return new ReloadConfigResponse { Status = new StatusProto { ErrorCode = Tensorflow.Error.Code.Ok } };
        });

    public override Task<GetModelStatusResponse> GetModelStatus(GetModelStatusRequest request, ServerCallContext context)
        => GrpcCalls.Run(context, _time, () =>
        {
            var spec = GrpcCalls.RequireSpec(request.ModelSpec);
            if (string.IsNullOrEmpty(spec.Name))
            {
                throw ServingException.InvalidArgument("ModelSpec has no name specified.");
            }

            // A version_label is ignored here, as in TF Serving: every version comes back.
            return Task.FromResult(ModelStatusFactory.Create(_models.GetStatus(spec.Name, GrpcCalls.Version(spec))));
        });
}
