namespace ModelServer.Trainer.Transfer;

/// <summary>
/// Where the head reads the backbone: the stages (by channel width, e.g. 256 and 512 for ResNet-18's last two) and
/// whether each is pooled by maximum as well as by average.
/// </summary>
public sealed record FeatureTaps(IReadOnlyList<int> StageChannels, bool MaxPool);
