using ModelServer.Runtime.Repository;
using Tensorflow.Serving;

namespace ModelServer.Host.TensorFlow;

/// <summary>Runtime version states as TF Serving's <see cref="GetModelStatusResponse"/>.</summary>
internal static class ModelStatusFactory
{
    public static GetModelStatusResponse Create(IEnumerable<Runtime.Repository.ModelVersionStatus> statuses)
    {
        var response = new GetModelStatusResponse();
        foreach (var status in statuses)
        {
            response.ModelVersionStatus.Add(new Tensorflow.Serving.ModelVersionStatus
            {
                Version = status.Version,
                State = (Tensorflow.Serving.ModelVersionStatus.Types.State)(int)status.State,
                Status = new StatusProto
                {
                    ErrorCode = (Tensorflow.Error.Code)(int)status.ErrorCode,
                    ErrorMessage = status.ErrorMessage,
                },
            });
        }

        return response;
    }

    public static ModelSpec Spec(string name, long? version, string signatureName = "")
    {
        var spec = new ModelSpec { Name = name, SignatureName = signatureName };
        if (version is { } v)
        {
            spec.Version = v;
        }

        return spec;
    }
}
