using Google.Protobuf;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Evaluation;
using ModelServer.Trainer.Training;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Export;

/// <summary>
/// Checks an export: ONNX Runtime, fed NHWC tensors built from the model's own metadata, must
/// give the same logits and probabilities as the TorchSharp network fed NCHW tensors.
/// </summary>
public static class ExportVerifier
{
    public const double DefaultTolerance = 1e-4;

    public static ParityReport Verify(ModelProto onnx, nn.Module<Tensor, Tensor> model, DecodedDataset dataset, int[] indices, double tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Length == 0)
        {
            throw new ArgumentException("Parity needs at least one image.", nameof(indices));
        }

        model.eval();
        return Compare(onnx, dataset, indices, tolerance, () => model.forward(new BatchBuilder(dataset, AugmentationOptions.None).Build(indices, null).Images));
    }

    /// <summary>
    /// Runs the exported model once on the images (both outputs) and compares it with the logits TorchSharp computes
    /// in <paramref name="torchLogits"/> (called under no_grad, inside a dispose scope); probabilities are its softmax.
    /// </summary>
    internal static ParityReport Compare(ModelProto onnx, DecodedDataset dataset, int[] indices, double tolerance, Func<Tensor> torchLogits)
    {
        using var classifier = new OnnxClassifier(onnx.ToByteArray());
        float[][] ort = classifier.Run(classifier.Batch(dataset, indices), indices.Length, [OnnxExporter.ProbabilitiesName, OnnxExporter.LogitsName]);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var logits = torchLogits();
        return new ParityReport(indices.Length,
            ParityReport.MaxDifference(ort[0], nn.functional.softmax(logits, 1).data<float>().ToArray()),
            ParityReport.MaxDifference(ort[1], logits.data<float>().ToArray(), relative: true), tolerance);
    }
}
