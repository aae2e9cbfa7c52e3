using System.Globalization;
using System.Text;

namespace ModelServer.Trainer.Evaluation;

/// <summary>Counts of (actual, predicted) class pairs, with the scores derived from them.</summary>
public sealed class ConfusionMatrix
{
    private readonly int[,] counts;

    public ConfusionMatrix(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Labels = labels;
        counts = new int[labels.Count, labels.Count];
    }

    public IReadOnlyList<string> Labels { get; }

    public int Total { get; private set; }

    public int this[int actual, int predicted] => counts[actual, predicted];

    public double Accuracy => Total == 0 ? 0 : (double)Enumerable.Range(0, Labels.Count).Sum(i => counts[i, i]) / Total;

    public void Add(int actual, int predicted)
    {
        counts[actual, predicted]++;
        Total++;
    }

    /// <summary>A matrix with the counts of <paramref name="rows"/> (rows actual, columns predicted), as <see cref="ToRows"/> gives them.</summary>
    public static ConfusionMatrix FromRows(IReadOnlyList<string> labels, int[][] rows)
    {
        var matrix = new ConfusionMatrix(labels);
        matrix.AddRows(rows);
        return matrix;
    }

    /// <summary>Adds every count of <paramref name="other"/> (same labels): pooling the folds of a cross-validation.</summary>
    public void Add(ConfusionMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Labels.Count != Labels.Count)
        {
            throw new ArgumentException($"{other.Labels.Count} classes, expected {Labels.Count}.", nameof(other));
        }

        AddRows(other.ToRows());
    }

    private void AddRows(int[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        for (int a = 0; a < rows.Length; a++)
        {
            for (int p = 0; p < rows[a].Length; p++)
            {
                counts[a, p] += rows[a][p];
                Total += rows[a][p];
            }
        }
    }

    /// <summary>Of the images predicted as <paramref name="label"/>, the share that were; NaN when none was predicted.</summary>
    public double Precision(int label)
    {
        int predicted = Enumerable.Range(0, Labels.Count).Sum(a => counts[a, label]);
        return predicted == 0 ? double.NaN : (double)counts[label, label] / predicted;
    }

    /// <summary>Of the images of <paramref name="label"/>, the share found; NaN when there were none.</summary>
    public double Recall(int label)
    {
        int actual = Enumerable.Range(0, Labels.Count).Sum(p => counts[label, p]);
        return actual == 0 ? double.NaN : (double)counts[label, label] / actual;
    }

    public int[][] ToRows() => [.. Enumerable.Range(0, Labels.Count).Select(a => Enumerable.Range(0, Labels.Count).Select(p => counts[a, p]).ToArray())];

    /// <summary>A Markdown table: rows actual, columns predicted.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| actual \\ predicted |");
        foreach (string label in Labels)
        {
            text.Append(CultureInfo.InvariantCulture, $" {label} |");
        }

        text.AppendLine(" recall |");
        text.Append("|---|");
        text.Append(string.Concat(Enumerable.Repeat("---|", Labels.Count + 1)));
        text.AppendLine();
        for (int a = 0; a < Labels.Count; a++)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {Labels[a]} |");
            for (int p = 0; p < Labels.Count; p++)
            {
                text.Append(CultureInfo.InvariantCulture, $" {counts[a, p]} |");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $" {Recall(a):P1} |");
        }

        text.Append("| precision |");
        for (int p = 0; p < Labels.Count; p++)
        {
            text.Append(CultureInfo.InvariantCulture, $" {Precision(p):P1} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $" accuracy {Accuracy:P2} |");
        return text.ToString();
    }
}
