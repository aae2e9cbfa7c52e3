using Microsoft.Extensions.Options;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Inference;

/// <summary>
/// The protocol-neutral predict path: checks a request against the signature in TF Serving's order and with its
/// messages, then hands it to the inference runner. Transports decode their wire format into
/// <see cref="Tensor"/>s, call this, and encode the <see cref="PredictResult"/>.
/// </summary>
public sealed class Predictor
{
    private readonly ModelManager _models;
    private readonly IInferenceRunner _runner;
    private readonly ServingOptions _options;

    public Predictor(ModelManager models, IInferenceRunner runner, IOptions<ServingOptions> options)
    {
        _models = models;
        _runner = runner;
        _options = options.Value;
    }

    /// <summary>Resolves the servable; the caller disposes the handle when the reply is written.</summary>
    public ServableHandle Acquire(string modelName, long? version, string? versionLabel)
    {
        if (string.IsNullOrEmpty(modelName))
        {
            throw ServingException.InvalidArgument("ModelSpec has no name specified.");
        }

        return _models.Acquire(modelName, version, versionLabel);
    }

    /// <summary>The signature a request names; empty means <c>serving_default</c>.</summary>
    public static ModelSignature ResolveSignature(ServableHandle servable, string? signatureName)
    {
        var signature = servable.Model.Signature;
        if (!string.IsNullOrEmpty(signatureName) && signatureName != signature.Name)
        {
            throw ServingException.FailedPrecondition($"Serving signature key \"{signatureName}\" not found.");
        }

        return signature;
    }

    public async ValueTask<PredictResult> PredictAsync(
        ServableHandle servable,
        string? signatureName,
        IReadOnlyDictionary<string, Tensor> inputs,
        IReadOnlyList<string> outputFilter,
        CancellationToken cancellationToken)
    {
        var signature = ResolveSignature(servable, signatureName);
        ValidateInputs(signature, inputs);
        var outputNames = ResolveOutputs(signature, outputFilter);

        var inputNames = new string[signature.Inputs.Count];
        var inputTensors = new Tensor[signature.Inputs.Count];
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            inputNames[i] = signature.Inputs[i].Name;
            inputTensors[i] = inputs[inputNames[i]];
        }

        var outputs = await _runner.RunAsync(servable, inputNames, inputTensors, outputNames, cancellationToken).ConfigureAwait(false);
        var named = new KeyValuePair<string, Tensor>[outputNames.Count];
        for (var i = 0; i < named.Length; i++)
        {
            named[i] = new(outputNames[i], outputs[i]);
        }

        return new PredictResult(servable.ModelName, servable.Version, signature.Name, named);
    }

    private void ValidateInputs(ModelSignature signature, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var expected = signature.Inputs.Select(i => i.Name).Order(StringComparer.Ordinal).ToArray();
        var extra = inputs.Keys.Where(k => !signature.InputsByName.ContainsKey(k)).Order(StringComparer.Ordinal).ToArray();
        var missing = expected.Where(n => !inputs.ContainsKey(n)).ToArray();
        if (extra.Length > 0 || missing.Length > 0)
        {
            if (inputs.Count == expected.Length && extra.Length > 0)
            {
                throw ServingException.InvalidArgument(
                    $"input tensor alias not found in signature: {extra[0]}. Inputs expected to be in the set {{{string.Join(",", expected)}}}.");
            }

            var sent = inputs.Keys.Order(StringComparer.Ordinal);
            throw ServingException.InvalidArgument(
                $"input size does not match signature: {inputs.Count}!={expected.Length} len({{{string.Join(",", sent)}}}) != len({{{string.Join(",", expected)}}}). " +
                $"Sent extra: {{{string.Join(",", extra)}}}. Missing but required: {{{string.Join(",", missing)}}}.");
        }

        foreach (var spec in signature.Inputs)
        {
            var tensor = inputs[spec.Name];
            if (tensor.DataType != spec.DataType)
            {
                throw ServingException.InvalidArgument(
                    $"Expects input '{spec.Name}' to be {spec.DataType.ToTfName()} but {tensor.DataType.ToTfName()} is provided");
            }

            if (tensor.ElementCount > _options.MaxTensorElements)
            {
                throw ServingException.InvalidArgument(
                    $"input '{spec.Name}' has {tensor.ElementCount} elements, over the limit of {_options.MaxTensorElements} (MaxTensorElements)");
            }

            if (!TensorShape.IsCompatible(tensor.Shape, spec.Shape))
            {
                throw ServingException.InvalidArgument(
                    $"input '{spec.Name}' has shape {TensorShape.Format(tensor.Shape)} but the signature expects {TensorShape.Format(spec.Shape)} (-1 = any size)");
            }
        }
    }

    private static IReadOnlyList<string> ResolveOutputs(ModelSignature signature, IReadOnlyList<string> filter)
    {
        if (filter.Count == 0)
        {
            return signature.Outputs.Select(o => o.Name).ToArray();
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alias in filter)
        {
            if (!signature.OutputsByName.ContainsKey(alias))
            {
                var expected = string.Join(",", signature.Outputs.Select(o => o.Name).Order(StringComparer.Ordinal));
                throw ServingException.InvalidArgument($"output tensor alias not found in signature: {alias} Outputs expected to be in the set {{{expected}}}.");
            }

            if (!seen.Add(alias))
            {
                throw ServingException.InvalidArgument($"duplicate output tensor alias: {alias}");
            }
        }

        return filter;
    }
}
