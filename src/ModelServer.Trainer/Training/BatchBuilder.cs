using ModelServer.Runtime.Imaging;
using ModelServer.Trainer.Data;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Training;

/// <summary>
/// Turns decoded images into NCHW float batches. Training batches are augmented first; validation
/// and evaluation batches go through exactly the server's tensor writer with no augmentation.
/// </summary>
public sealed class BatchBuilder(DecodedDataset dataset, AugmentationOptions augmentation)
{
    private readonly Augmenter augmenter = new(augmentation);
    private readonly ImagePreprocessing nchw = ImagePreprocessing.UnitScaleRgb(dataset.ImageSize, TensorLayout.Nchw);

    public ImagePreprocessing Preprocessing => nchw;

    public (Tensor Images, Tensor Labels) Build(ReadOnlySpan<int> indices, Random? augmentRandom)
    {
        int size = dataset.ImageSize;
        int per = nchw.ElementCount;
        var data = new float[indices.Length * per];
        var labels = new long[indices.Length];
        byte[]? scratch = augmentRandom is null ? null : new byte[per];
        for (int b = 0; b < indices.Length; b++)
        {
            int index = indices[b];
            ReadOnlySpan<byte> pixels = dataset.Pixels[index];
            if (augmentRandom is not null)
            {
                augmenter.Apply(pixels, scratch, size, augmentRandom);
                pixels = scratch;
            }

            ImageTensorWriter.Write(pixels, nchw, data.AsSpan(b * per, per));
            labels[b] = dataset.Samples[index].Label;
        }

        return (tensor(data, [indices.Length, 3, size, size]), tensor(labels));
    }
}
