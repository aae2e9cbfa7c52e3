namespace ModelServer.Trainer.Data;

/// <summary>
/// Images decoded once through the server's decode path and resized to the input size, kept as
/// interleaved RGB bytes (height × width × 3) so each epoch only augments and converts.
/// </summary>
public sealed record DecodedDataset(
    IReadOnlyList<string> ClassNames,
    int ImageSize,
    IReadOnlyList<ImageSample> Samples,
    IReadOnlyList<byte[]> Pixels,
    IReadOnlyList<SkippedImage> Skipped)
{
    public int Count => Samples.Count;

    public int[] CountPerClass()
    {
        int[] counts = new int[ClassNames.Count];
        foreach (var sample in Samples)
        {
            counts[sample.Label]++;
        }

        return counts;
    }
}
