using Grpc.Core;
using ModelServer.Host.TensorFlow;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using Tensorflow.Serving;

namespace ModelServer.Host.Grpc;

/// <summary><c>tensorflow.serving.ModelService</c>: model status (and, later, config reload).</summary>
internal sealed class ModelGrpcService : ModelService.ModelServiceBase
{
    private readonly ModelManager _models;
    private readonly TimeProvider _time;

    public ModelGrpcService(ModelManager models, TimeProvider time)
    {
        _models = models;
        _time = time;
    }

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
