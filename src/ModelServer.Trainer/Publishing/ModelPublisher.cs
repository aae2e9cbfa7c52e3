using System.Globalization;
using Onnx;

namespace ModelServer.Trainer.Publishing;

/// <summary>
/// Puts a model into <c>{repository}/{name}/{version}/model.onnx</c> with the next free version.
/// The files are written into a hidden staging folder inside the model folder (same file system,
/// a name the server ignores because it is not a number) and the folder is then renamed to its
/// version, so a watching server sees either no version or a complete one.
/// </summary>
public static class ModelPublisher
{
    public const string ModelFileName = "model.onnx";
    private const int RenameAttempts = 10;

    public static PublishedVersion Publish(string modelPath, string repository, string name)
    {
        ValidateName(name);
        byte[] model = ReadModel(modelPath);
        string modelDirectory = Path.Combine(Path.GetFullPath(repository), name);
        string staging = Path.Combine(modelDirectory, $".publish-{Guid.NewGuid():N}.tmp");
        bool createdModelDirectory = !Directory.Exists(modelDirectory);
        bool published = false;
        try
        {
            Directory.CreateDirectory(modelDirectory);
            Directory.CreateDirectory(staging);
            using (var stream = new FileStream(Path.Combine(staging, ModelFileName), FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(model);
                stream.Flush(flushToDisk: true);
            }

            // Another publisher may take the same number between the scan and the rename; then try the next.
            for (int attempt = 0; attempt < RenameAttempts; attempt++)
            {
                long version = NextVersion(modelDirectory);
                string target = Path.Combine(modelDirectory, version.ToString(CultureInfo.InvariantCulture));
                try
                {
                    Directory.Move(staging, target);
                    published = true;
                    return new PublishedVersion(name, version, target, Path.Combine(target, ModelFileName));
                }
                catch (IOException) when (Directory.Exists(target))
                {
                }
            }

            throw new PublishException($"Could not claim a free version number in '{modelDirectory}' after {RenameAttempts} attempts.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PublishException($"Cannot publish into '{modelDirectory}': {ex.Message} (is the repository writable?)", ex);
        }
        finally
        {
            TryDelete(staging);
            if (!published && createdModelDirectory)
            {
                TryDelete(modelDirectory);
            }
        }
    }

    /// <summary>One more than the highest numeric version folder; 1 for a new model.</summary>
    public static long NextVersion(string modelDirectory)
    {
        long highest = 0;
        if (Directory.Exists(modelDirectory))
        {
            foreach (string directory in Directory.EnumerateDirectories(modelDirectory))
            {
                if (long.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out long version))
                {
                    highest = Math.Max(highest, version);
                }
            }
        }

        return highest + 1;
    }

    private static byte[] ReadModel(string modelPath)
    {
        if (!File.Exists(modelPath))
        {
            throw new PublishException($"Model file '{modelPath}' does not exist.");
        }

        byte[] bytes = File.ReadAllBytes(modelPath);
        try
        {
            // Refuse what a server could not load rather than publishing it.
            var model = ModelProto.Parser.ParseFrom(bytes);
            if (model.Graph is null || model.Graph.Node.Count == 0)
            {
                throw new PublishException($"'{modelPath}' is not an ONNX model (no graph).");
            }
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            throw new PublishException($"'{modelPath}' is not an ONNX model: {ex.Message}", ex);
        }

        return bytes;
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.IndexOfAny(['/', '\\']) >= 0
            || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.StartsWith('.'))
        {
            throw new PublishException($"'{name}' is not a valid model name (a plain folder name is required).");
        }
    }

    private static void TryDelete(string staging)
    {
        try
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: the staging name is not a version, so a server ignores a leftover.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
