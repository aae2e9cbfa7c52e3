using ModelServer.Runtime.Imaging;

namespace ModelServer.Trainer.Data;

/// <summary>Scans and decodes a data folder; corrupt images are skipped, counted and reported.</summary>
public static class DatasetLoader
{
    public static DecodedDataset Load(string root, int imageSize, Action<SkippedImage>? onSkipped = null)
    {
        var folder = ImageFolderScanner.Scan(root);
        var preprocessing = ImagePreprocessing.UnitScaleRgb(imageSize);
        var decoder = new ImageDecoder();
        var pixels = new byte[folder.Samples.Count][];
        var errors = new string?[folder.Samples.Count];
        // Decoding is independent per file and results land by index, so the order stays deterministic.
        Parallel.For(0, folder.Samples.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                byte[] encoded = File.ReadAllBytes(folder.Samples[i].Path);
                using var image = decoder.DecodeResized(encoded, preprocessing);
                var rgb = new byte[preprocessing.ElementCount];
                image.CopyPixelDataTo(rgb);
                pixels[i] = rgb;
            }
            catch (Exception ex) when (ex is ImageDecodeException or IOException or UnauthorizedAccessException)
            {
                errors[i] = ex.Message;
            }
        });

        var samples = new List<ImageSample>();
        var kept = new List<byte[]>();
        var skipped = new List<SkippedImage>();
        for (int i = 0; i < folder.Samples.Count; i++)
        {
            if (errors[i] is { } reason)
            {
                var skip = new SkippedImage(folder.Samples[i].Path, reason);
                skipped.Add(skip);
                onSkipped?.Invoke(skip);
                continue;
            }

            samples.Add(folder.Samples[i]);
            kept.Add(pixels[i]);
        }

        var dataset = new DecodedDataset(folder.ClassNames, imageSize, samples, kept, skipped);
        int[] perClass = dataset.CountPerClass();
        for (int c = 0; c < perClass.Length; c++)
        {
            if (perClass[c] == 0)
            {
                throw new DatasetException($"Class '{folder.ClassNames[c]}' has no readable images ({skipped.Count} image(s) skipped as unreadable).");
            }
        }

        return dataset;
    }
}
