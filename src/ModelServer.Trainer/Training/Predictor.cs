using ModelServer.Trainer.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Training;

/// <summary>Runs a network in evaluation mode over data set indices, without augmentation.</summary>
public static class Predictor
{
    /// <returns>Mean cross-entropy loss and the confusion matrix.</returns>
    public static (double Loss, ConfusionMatrix Confusion) Evaluate(
        nn.Module<Tensor, Tensor> model, BatchBuilder batches, int[] indices, IReadOnlyList<string> labels, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(indices);
        var confusion = new ConfusionMatrix(labels);
        double lossSum = 0;
        model.eval();
        using var noGrad = no_grad();
        for (int start = 0; start < indices.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batchSize, indices.Length - start);
            var (images, target) = batches.Build(indices.AsSpan(start, count), null);
            var logits = model.forward(images);
            lossSum += nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum).item<float>();
            long[] predicted = logits.argmax(1).data<long>().ToArray();
            long[] actual = target.data<long>().ToArray();
            for (int i = 0; i < count; i++)
            {
                confusion.Add((int)actual[i], (int)predicted[i]);
            }
        }

        return (indices.Length == 0 ? double.NaN : lossSum / indices.Length, confusion);
    }
}
