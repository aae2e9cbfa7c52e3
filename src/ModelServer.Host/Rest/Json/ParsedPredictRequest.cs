using ModelServer.Runtime.Tensors;

namespace ModelServer.Host.Rest.Json;

/// <summary>A decoded REST predict body; owns its input tensors.</summary>
internal sealed class ParsedPredictRequest : IDisposable
{
    public ParsedPredictRequest(string? signatureName, bool rowFormat, Dictionary<string, Tensor> inputs)
    {
        SignatureName = signatureName;
        RowFormat = rowFormat;
        Inputs = inputs;
    }

    public string? SignatureName { get; }

    /// <summary>True for <c>instances</c> (reply <c>predictions</c>), false for <c>inputs</c> (reply <c>outputs</c>).</summary>
    public bool RowFormat { get; }

    public Dictionary<string, Tensor> Inputs { get; }

    public void Dispose()
    {
        foreach (var tensor in Inputs.Values)
        {
            tensor.Dispose();
        }
    }
}
