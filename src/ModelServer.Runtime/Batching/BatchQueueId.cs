namespace ModelServer.Runtime.Batching;

/// <summary>Names one batch queue: a served version of a model.</summary>
public readonly record struct BatchQueueId(string ModelName, long Version)
{
    public override string ToString() => $"{ModelName}/{Version}";
}
