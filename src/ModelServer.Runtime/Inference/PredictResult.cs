using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Inference;

/// <summary>A predict call's outputs; owns the output tensors, which <see cref="Dispose"/> frees.</summary>
public sealed class PredictResult : IDisposable
{
    public PredictResult(string modelName, long version, string signatureName, IReadOnlyList<KeyValuePair<string, Tensor>> outputs)
    {
        ModelName = modelName;
        Version = version;
        SignatureName = signatureName;
        Outputs = outputs;
    }

    public string ModelName { get; }

    public long Version { get; }

    public string SignatureName { get; }

    /// <summary>Outputs in signature order (filtered by the request's output filter).</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Outputs { get; }

    public void Dispose()
    {
        foreach (var output in Outputs)
        {
            output.Value.Dispose();
        }
    }
}
