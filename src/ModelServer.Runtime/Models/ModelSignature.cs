namespace ModelServer.Runtime.Models;

/// <summary>
/// A model's serving signature. An ONNX graph has exactly one, exposed under TF Serving's
/// default key <see cref="DefaultName"/> with the predict method.
/// </summary>
public sealed class ModelSignature
{
    public const string DefaultName = "serving_default";
    public const string PredictMethod = "tensorflow/serving/predict";

    public ModelSignature(string name, string methodName, IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs)
    {
        Name = name;
        MethodName = methodName;
        Inputs = inputs;
        Outputs = outputs;
        InputsByName = inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        OutputsByName = outputs.ToDictionary(o => o.Name, StringComparer.Ordinal);
    }

    public string Name { get; }

    public string MethodName { get; }

    /// <summary>Inputs in graph order.</summary>
    public IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>Outputs in graph order.</summary>
    public IReadOnlyList<TensorSpec> Outputs { get; }

    public IReadOnlyDictionary<string, TensorSpec> InputsByName { get; }

    public IReadOnlyDictionary<string, TensorSpec> OutputsByName { get; }
}
