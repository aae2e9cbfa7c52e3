namespace ModelServer.Trainer.Data;

/// <summary>One image file of a folder-per-class data set.</summary>
/// <param name="Path">The image file.</param>
/// <param name="Label">Index of its class in alphabetical class order.</param>
/// <param name="Clip">Images sharing a clip are near-duplicates and go to the same split.</param>
public sealed record ImageSample(string Path, int Label, string Clip);
