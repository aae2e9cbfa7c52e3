namespace ModelServer.Trainer.Data;

/// <summary>Lists a folder-per-class data set: class = sub-folder name, labels in ordinal name order.</summary>
public static class ImageFolderScanner
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif",
    };

    /// <exception cref="DatasetException">Missing folder, no class folders, or a class without images.</exception>
    public static ImageFolder Scan(string root)
    {
        if (string.IsNullOrWhiteSpace(root) || !Directory.Exists(root))
        {
            throw new DatasetException($"Data folder '{root}' does not exist.");
        }

        string fullRoot = Path.GetFullPath(root);
        // Ordinal order gives Keras' flow_from_directory labels: paper = 0, rock = 1, scissors = 2.
        string[] classDirectories = [.. Directory.EnumerateDirectories(fullRoot)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)];
        if (classDirectories.Length == 0)
        {
            throw new DatasetException($"Data folder '{fullRoot}' is empty: expected one sub-folder of images per class.");
        }

        if (classDirectories.Length < 2)
        {
            throw new DatasetException($"Data folder '{fullRoot}' has only one class folder ('{Path.GetFileName(classDirectories[0])}'); a classifier needs at least two.");
        }

        var samples = new List<ImageSample>();
        var classNames = new List<string>();
        int ignored = 0;
        for (int label = 0; label < classDirectories.Length; label++)
        {
            string name = Path.GetFileName(classDirectories[label]);
            classNames.Add(name);
            int before = samples.Count;
            foreach (string file in Directory.EnumerateFiles(classDirectories[label], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string fileName = Path.GetFileName(file);
                if (fileName.StartsWith('.') || !ImageExtensions.Contains(Path.GetExtension(file)))
                {
                    ignored++;
                    continue;
                }

                samples.Add(new ImageSample(file, label, $"{name}/{ClipKey.FromFileName(fileName)}"));
            }

            if (samples.Count == before)
            {
                throw new DatasetException(
                    $"Class '{name}' ({classDirectories[label]}) has no images (expected {string.Join(", ", ImageExtensions.Order(StringComparer.Ordinal))}).");
            }
        }

        return new ImageFolder(fullRoot, classNames, samples, ignored);
    }
}
