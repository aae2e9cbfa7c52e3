namespace ModelServer.Trainer.Publishing;

/// <summary>Where a published model landed.</summary>
public sealed record PublishedVersion(string Name, long Version, string Directory, string ModelPath);
