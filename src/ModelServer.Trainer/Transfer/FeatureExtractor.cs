using System.Diagnostics;
using ModelServer.Runtime.Imaging;
using ModelServer.Trainer.Data;
using ModelServer.Trainer.Evaluation;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// Runs the frozen backbone once per image (and per augmented copy) with ONNX Runtime, so the head trains on
/// cached features: epochs then cost milliseconds instead of a backbone pass per image. Training images get
/// <c>copies</c> augmented versions besides the original; augmentation draws come from one seeded generator in
/// index order, so a seed fixes every feature.
/// </summary>
public sealed class FeatureExtractor(OnnxClassifier featureModel, int width, string output = BackboneGraph.FeaturesName)
{
    private const int Batch = 32;

    // The extractor owns one input batch buffer and one scratch image and reuses them across calls: fine-tuning
    // calls Extract once per training batch. So one caller at a time.
    private float[]? _batch;
    private byte[]? _scratch;

    public double ImagesPerSecond { get; private set; }

    /// <param name="includeOriginal">False gives only the augmented copies: fine-tuning draws fresh views each epoch.</param>
    public FeatureSet Extract(DecodedDataset dataset, int[] indices, int copies, AugmentationOptions augmentation, int seed, Action<int, int>? progress = null, bool includeOriginal = true)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        var preprocessing = featureModel.Preprocessing;
        int per = preprocessing.ElementCount;
        var augmenter = new Augmenter(augmentation);
        var random = new Random(seed);
        int first = includeOriginal ? 0 : 1;
        int rows = indices.Length * (1 + copies - first);
        var values = new float[(long)rows * width];
        var labels = new long[rows];
        var batch = _batch is { Length: var b } && b == Batch * per ? _batch : _batch = new float[Batch * per];
        var scratch = _scratch is { Length: var n } && n == dataset.Pixels[0].Length ? _scratch : _scratch = new byte[dataset.Pixels[0].Length];
        var watch = Stopwatch.StartNew();
        int row = 0, inBatch = 0, batchStart = 0;
        for (int copy = first; copy <= copies; copy++)
        {
            foreach (int index in indices)
            {
                ReadOnlySpan<byte> pixels = dataset.Pixels[index];
                if (copy > 0)
                {
                    augmenter.Apply(pixels, scratch, dataset.ImageSize, random);
                    pixels = scratch;
                }

                ImageTensorWriter.Write(pixels, preprocessing, batch.AsSpan(inBatch * per, per));
                labels[row++] = dataset.Samples[index].Label;
                if (++inBatch == Batch)
                {
                    Flush();
                }
            }
        }

        Flush();
        ImagesPerSecond = rows / watch.Elapsed.TotalSeconds;
        return new FeatureSet(values, labels, width);

        void Flush()
        {
            if (inBatch == 0)
            {
                return;
            }

            float[] features = featureModel.Run(inBatch == Batch ? batch : batch[..(inBatch * per)], inBatch, output);
            features.CopyTo(values.AsSpan(checked(batchStart * width), inBatch * width));
            batchStart += inBatch;
            inBatch = 0;
            progress?.Invoke(batchStart, rows);
        }
    }
}
