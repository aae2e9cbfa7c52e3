using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace ModelServer.Runtime.Repository;

/// <summary>Applies a model's configured labels at the end of a reconcile.</summary>
internal static class LabelAssignment
{
    /// <summary>
    /// TF Serving's rule: a label may point only at a version that is available (and stays so). A label whose new
    /// target is not is reported with TF Serving's FAILED_PRECONDITION text and keeps its previous target while that
    /// still serves (so a canary moved ahead of its version's load keeps answering); the other labels apply.
    /// </summary>
    public static void Apply(ServedModel model, IReadOnlyDictionary<string, long> labels, IReadOnlySet<long> available, List<string> errors, ILogger logger)
    {
        var current = model.Labels;
        var applied = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (label, version) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            if (available.Contains(version))
            {
                applied[label] = version;
                continue;
            }

            problems.Add($"Request to assign label to version {version} of model {model.Name}, which is not currently available for inference");
            if (current.TryGetValue(label, out var previous) && available.Contains(previous))
            {
                applied[label] = previous;
            }
        }

        errors.AddRange(problems);
        var problem = problems.Count == 0 ? null : string.Join("; ", problems);
        if (problem is not null && problem != model.LastLabelProblem)
        {
            RepositoryLog.LabelsRejected(logger, model.Name, problem);
        }

        model.LastLabelProblem = problem;
        if (current.Count != applied.Count || applied.Any(l => !current.TryGetValue(l.Key, out var v) || v != l.Value))
        {
            model.SetLabels(applied.ToImmutable());
            RepositoryLog.LabelsApplied(logger, model.Name, applied.Count == 0 ? "(none)" : string.Join(", ", applied.Select(l => $"{l.Key}={l.Value}")));
        }
    }
}
