namespace ModelServer.Runtime.Repository;

/// <summary>
/// What one reconcile of a model achieved: the versions that failed to load and labels that could not be
/// applied, as TF Serving's reload reports them. Empty <see cref="Errors"/> means the model is as configured.
/// </summary>
public sealed record ModelReconcileResult(string Model, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}
