namespace ModelServer.Runtime.Classification;

/// <summary>Scores of n examples over C classes, with the class names (labels, or the class index as text).</summary>
public sealed class ClassifyResult
{
    public ClassifyResult(string modelName, long version, IReadOnlyList<string> classNames, bool hasLabels, float[] scores, int count)
    {
        ModelName = modelName;
        Version = version;
        ClassNames = classNames;
        HasLabels = hasLabels;
        Scores = scores;
        Count = count;
    }

    public string ModelName { get; }

    public long Version { get; }

    /// <summary>Name of class c: the model's label, or <c>c</c> in decimal when the model has no labels.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public bool HasLabels { get; }

    public int Count { get; }

    public int Classes => ClassNames.Count;

    /// <summary>Row-major <c>[Count, Classes]</c>.</summary>
    public float[] Scores { get; }

    public ReadOnlySpan<float> Row(int example) => Scores.AsSpan(example * Classes, Classes);

    /// <summary>Class indices of one example, best first (stable for ties), at most <paramref name="topK"/>.</summary>
    public int[] Ranked(int example, int topK)
    {
        var row = Scores.AsSpan(example * Classes, Classes).ToArray();
        return [.. Enumerable.Range(0, Classes).OrderByDescending(c => row[c]).Take(topK)];
    }
}
