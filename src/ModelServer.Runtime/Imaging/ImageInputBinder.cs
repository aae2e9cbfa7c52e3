using ModelServer.Runtime.Models;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Imaging;

/// <summary>
/// Lets a transport send encoded images where a model takes a float image tensor: a DT_STRING tensor of shape
/// <c>[n]</c> (gRPC) or the <c>{"b64": …}</c> values of REST predict arrive here as a string tensor and leave as
/// the decoded float batch. The protocol-neutral step between a transport's decoding and the predictor.
/// </summary>
public sealed class ImageInputBinder
{
    private readonly ImageBatchDecoder _decoder;

    public ImageInputBinder(ImageBatchDecoder decoder) => _decoder = decoder;

    /// <summary>Names of the model's inputs that accept encoded images (at most one today).</summary>
    public static IReadOnlySet<string> ImageInputs(OnnxModel model) => ImageModelInfo.For(model).ImageInputs;

    /// <summary>
    /// Replaces each string tensor sent for a non-string input with its decoded image batch. The replaced string
    /// tensor is disposed; the new tensor is owned by <paramref name="inputs"/> like the others.
    /// </summary>
    public void Bind(OnnxModel model, string modelName, IDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var (name, tensor) in inputs.ToArray())
        {
            if (tensor.DataType != TensorDataType.String
                || !model.Signature.InputsByName.TryGetValue(name, out var spec)
                || spec.DataType == TensorDataType.String)
            {
                continue;
            }

            var info = ImageModelInfo.For(model);
            if (info.ImageInput != name || info.Preprocessing is null)
            {
                throw ServingException.InvalidArgument(
                    $"input '{name}' of model '{modelName}' takes {spec.DataType.ToTfName()} values, but encoded images (DT_STRING) were sent: " +
                    (info.ImageInput is null ? info.Problem : $"only input '{info.ImageInput}' takes images"));
            }

            inputs[name] = DecodeStrings(tensor, info.Preprocessing, name);
            tensor.Dispose();
        }
    }

    /// <summary>Decodes a string tensor of encoded images (shape <c>[n]</c> or a scalar) into a float batch.</summary>
    public Tensor DecodeStrings(Tensor encoded, ImagePreprocessing preprocessing, string inputName)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (encoded.Shape.Length > 1)
        {
            throw ServingException.InvalidArgument(
                $"input '{inputName}': encoded images must be a list of shape [n], got shape {TensorShape.Format(encoded.Shape)}");
        }

        return _decoder.Decode(encoded.Strings, preprocessing, inputName);
    }

    /// <summary>Decodes images for the model's image input; refuses a model that has none.</summary>
    public Tensor DecodeForModel(OnnxModel model, string modelName, IReadOnlyList<ReadOnlyMemory<byte>> images, out string inputName)
    {
        ArgumentNullException.ThrowIfNull(model);
        var info = ImageModelInfo.For(model);
        if (info.ImageInput is null || info.Preprocessing is null)
        {
            throw ServingException.InvalidArgument($"model '{modelName}' does not take images: {info.Problem}");
        }

        inputName = info.ImageInput;
        return _decoder.Decode(images, info.Preprocessing, inputName);
    }

    /// <summary>The model's image input spec, or null.</summary>
    public static TensorSpec? ImageInputSpec(OnnxModel model)
        => ImageModelInfo.For(model).ImageInput is { } name ? model.Signature.InputsByName[name] : null;
}
