using Microsoft.ML.OnnxRuntime;
using ModelServer.Runtime.Imaging;

namespace ModelServer.Trainer.Evaluation;

/// <summary>
/// An exported classifier run by ONNX Runtime (CPU), configured only from the model's own
/// metadata: labels and preprocessing, exactly as the server will read them.
/// </summary>
public sealed class OnnxClassifier : IDisposable
{
    private readonly InferenceSession session;
    private readonly string inputName;

    public OnnxClassifier(byte[] model, int intraOpThreads = 0)
    {
        using var options = new SessionOptions { IntraOpNumThreads = intraOpThreads };
        session = new InferenceSession(model, options);
        inputName = session.InputNames[0];
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Preprocessing = ImagePreprocessing.FromMetadata(metadata)
            ?? throw new InvalidDataException($"The model declares no image input size (metadata '{ImageMetadataKeys.ImageSize}').");
        Labels = metadata.TryGetValue(ImageMetadataKeys.Labels, out string? labels)
            ? labels.Split(',', StringSplitOptions.TrimEntries)
            : throw new InvalidDataException($"The model declares no class labels (metadata '{ImageMetadataKeys.Labels}').");
        Metadata = metadata;
    }

    public ImagePreprocessing Preprocessing { get; }

    public IReadOnlyList<string> Labels { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static OnnxClassifier Load(string path, int intraOpThreads = 0) => new(File.ReadAllBytes(path), intraOpThreads);

    /// <summary>The decoded images at <paramref name="indices"/>, preprocessed as this model asks, in one batch buffer.</summary>
    public float[] Batch(ModelServer.Trainer.Data.DecodedDataset dataset, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        int per = Preprocessing.ElementCount;
        var batch = new float[indices.Length * per];
        for (int i = 0; i < indices.Length; i++)
        {
            ImageTensorWriter.Write(dataset.Pixels[indices[i]], Preprocessing, batch.AsSpan(i * per, per));
        }

        return batch;
    }

    /// <summary>Runs <paramref name="count"/> preprocessed images; returns the named output, row-major [count, classes].</summary>
    public float[] Run(float[] batch, int count, string output = "probabilities") => Run(batch, count, [output])[0];

    /// <summary>Runs <paramref name="count"/> preprocessed images once; returns each named output, row-major.</summary>
    public float[][] Run(float[] batch, int count, IReadOnlyList<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(outputs);
        long[] shape = Preprocessing.Layout == TensorLayout.Nhwc
            ? [count, Preprocessing.Height, Preprocessing.Width, ImagePreprocessing.Channels]
            : [count, ImagePreprocessing.Channels, Preprocessing.Height, Preprocessing.Width];
        using var input = OrtValue.CreateTensorValueFromMemory(batch, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [input], outputs);
        return [.. results.Select(r => r.GetTensorDataAsSpan<float>().ToArray())];
    }

    public void Dispose() => session.Dispose();
}
