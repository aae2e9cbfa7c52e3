using System.Globalization;
using ModelServer.Runtime.Imaging;
using ModelServer.Runtime.Inference;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Classification;

/// <summary>
/// Classification on top of predict: examples (features by input name; image bytes for the image input, also
/// under <c>image/encoded</c> or <c>image_bytes</c>) become one batch per input, the predictor runs it, and the
/// model's score output becomes per-class scores named by the model's labels (or class index).
/// </summary>
public sealed class Classifier
{
    /// <summary>Feature names, besides the input's own name, that carry the encoded image (TF conventions).</summary>
    public static readonly string[] ImageFeatureNames = ["image/encoded", "image_bytes"];

    private static readonly string[] ScoreOutputNames = ["scores", "probabilities", "probs", "softmax", "output"];

    private readonly Predictor _predictor;
    private readonly ImageInputBinder _images;

    public Classifier(Predictor predictor, ImageInputBinder images)
    {
        _predictor = predictor;
        _images = images;
    }

    /// <summary>Classifies encoded images with a model whose only input is its image input.</summary>
    public async ValueTask<ClassifyResult> ClassifyImagesAsync(ServableHandle servable, IReadOnlyList<ReadOnlyMemory<byte>> images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servable);
        var signature = servable.Model.Signature;
        var batch = _images.DecodeForModel(servable.Model, servable.ModelName, images, out var inputName);
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [inputName] = batch };
        try
        {
            if (signature.Inputs.Count != 1)
            {
                throw ServingException.InvalidArgument(
                    $"model '{servable.ModelName}' has inputs {{{string.Join(",", signature.Inputs.Select(i => i.Name))}}}; an image upload fills only '{inputName}'. Use :classify with JSON examples or :predict.");
            }

            return await RunAsync(servable, null, inputs, images.Count, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            batch.Dispose();
        }
    }

    /// <summary>Classifies examples; each example maps to the model's inputs by feature name.</summary>
    public async ValueTask<ClassifyResult> ClassifyAsync(
        ServableHandle servable,
        string? signatureName,
        IReadOnlyList<IReadOnlyDictionary<string, ExampleFeature>> examples,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servable);
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0)
        {
            throw ServingException.InvalidArgument("Input is empty: no examples to classify");
        }

        var signature = Predictor.ResolveSignature(servable, signatureName);
        var info = ImageModelInfo.For(servable.Model);
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var spec in signature.Inputs)
            {
                inputs[spec.Name] = spec.Name == info.ImageInput
                    ? DecodeImages(examples, spec, info)
                    : ExampleBatch.Build(examples, spec);
            }

            return await RunAsync(servable, signatureName, inputs, examples.Count, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var tensor in inputs.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private Tensor DecodeImages(IReadOnlyList<IReadOnlyDictionary<string, ExampleFeature>> examples, TensorSpec spec, ImageModelInfo info)
    {
        var images = new ReadOnlyMemory<byte>[examples.Count];
        for (int i = 0; i < examples.Count; i++)
        {
            var feature = ExampleBatch.Find(examples[i], spec.Name, ImageFeatureNames)
                ?? throw ServingException.InvalidArgument(
                    $"example {i} has no feature '{spec.Name}' (or {string.Join(", ", ImageFeatureNames.Select(n => $"'{n}'"))}) with the image for input '{spec.Name}'");
            if (feature.Bytes is not { Count: 1 } bytes)
            {
                throw ServingException.InvalidArgument(
                    $"example {i}: feature for image input '{spec.Name}' must hold exactly one encoded image (bytes), got {feature.Count} {feature.KindName} value(s)");
            }

            images[i] = bytes[0];
        }

        return _images.DecodeStrings(Tensor.FromStrings([images.Length], images), info.Preprocessing!, spec.Name);
    }

    private async ValueTask<ClassifyResult> RunAsync(
        ServableHandle servable, string? signatureName, Dictionary<string, Tensor> inputs, int count, CancellationToken cancellationToken)
    {
        var signature = servable.Model.Signature;
        var output = ScoreOutput(signature, servable.ModelName);
        using var result = await _predictor.PredictAsync(servable, signatureName, inputs, [output.Name], cancellationToken).ConfigureAwait(false);
        var scores = result.Outputs[0].Value;
        var shape = scores.Shape;
        if (shape.Length != 2 || shape[0] != count || shape[1] < 1)
        {
            throw ServingException.FailedPrecondition(
                $"model '{servable.ModelName}' output '{output.Name}' has shape {TensorShape.Format(shape)}; classification needs [{count}, classes]");
        }

        int classes = checked((int)shape[1]);
        var labels = ImageModelInfo.For(servable.Model).Labels;
        if (labels is not null && labels.Count != classes)
        {
            throw ServingException.FailedPrecondition(
                $"model '{servable.ModelName}' declares {labels.Count} labels but its output '{output.Name}' has {classes} classes");
        }

        var names = labels ?? [.. Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture))];
        return new ClassifyResult(servable.ModelName, servable.Version, names, labels is not null, scores.AsSpan<float>().ToArray(), count);
    }

    /// <summary>The float output holding class scores: the only one, or one with a conventional name.</summary>
    private static TensorSpec ScoreOutput(ModelSignature signature, string modelName)
    {
        var candidates = signature.Outputs.Where(o => o.DataType == TensorDataType.Float && o.Shape.Length == 2).ToArray();
        if (candidates.Length == 0)
        {
            throw ServingException.FailedPrecondition(
                $"model '{modelName}' has no float output of shape [batch, classes] to classify with");
        }

        return candidates.Length == 1
            ? candidates[0]
            : candidates.FirstOrDefault(o => ScoreOutputNames.Contains(o.Name, StringComparer.OrdinalIgnoreCase)) ?? candidates[0];
    }
}
