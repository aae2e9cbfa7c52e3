using Google.Protobuf;
using ModelServer.Runtime.Imaging;
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

        using var classifier = new OnnxClassifier(onnx.ToByteArray());
        var batch = classifier.Batch(dataset, indices);

        float[] ortProbabilities = classifier.Run(batch, indices.Length, OnnxExporter.ProbabilitiesName);
        float[] ortLogits = classifier.Run(batch, indices.Length, OnnxExporter.LogitsName);

        float[] torchLogits, torchProbabilities;
        model.eval();
        using (no_grad())
        using (NewDisposeScope())
        {
            var (images, _) = new BatchBuilder(dataset, AugmentationOptions.None).Build(indices, null);
            var logits = model.forward(images);
            torchLogits = logits.data<float>().ToArray();
            torchProbabilities = nn.functional.softmax(logits, 1).data<float>().ToArray();
        }

        return new ParityReport(indices.Length, ParityReport.MaxDifference(ortProbabilities, torchProbabilities), ParityReport.MaxDifference(ortLogits, torchLogits), tolerance);
    }
}
