namespace ModelServer.Trainer.Data;

/// <summary>An image left out because it could not be decoded.</summary>
public sealed record SkippedImage(string Path, string Reason);
