namespace ModelServer.Trainer.Data;

/// <summary>A scanned folder-per-class data set: class names in ordinal order and their image files.</summary>
public sealed record ImageFolder(string Root, IReadOnlyList<string> ClassNames, IReadOnlyList<ImageSample> Samples, int IgnoredFiles);
