namespace ModelServer.Runtime.Repository;

/// <summary>
/// What one reconcile of a model achieved: versions that failed to load, and labels that could not be applied
/// (TF Serving's FAILED_PRECONDITION rule). No errors means the model is as configured.
/// </summary>
public sealed record ModelReconcileResult(string Model, IReadOnlyList<string> LoadErrors, IReadOnlyList<string> LabelErrors)
{
    public ModelReconcileResult(string model, IReadOnlyList<string> loadErrors)
        : this(model, loadErrors, [])
    {
    }

    public IEnumerable<string> Errors => LoadErrors.Concat(LabelErrors);

    public bool Succeeded => LoadErrors.Count == 0 && LabelErrors.Count == 0;
}
