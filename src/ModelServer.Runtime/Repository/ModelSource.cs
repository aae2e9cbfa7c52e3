using ModelServer.Runtime.Warmup;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// What to serve for one model: where its numbered versions live, which of them to serve, and its labels.
/// Built from the repository layout plus <c>config.json</c>, or from a TF Serving <c>model_config_list</c> entry.
/// </summary>
public sealed record ModelSource(string Name, string BasePath, VersionPolicy Policy, IReadOnlyDictionary<string, long> Labels)
{
    /// <summary>How each new version is warmed up before it turns AVAILABLE.</summary>
    public WarmupSettings Warmup { get; init; } = WarmupSettings.Default;

    /// <summary>Whether a swap loads the new version before unloading the old one (default) or the other way round.</summary>
    public VersionTransition Transition { get; init; } = VersionTransition.AvailabilityPreserving;

    /// <summary>
    /// The folder the model's files must stay inside (the repository root, or the base path itself for a
    /// configured model): version folders or files that are symlinks resolving outside it are refused.
    /// </summary>
    public string? ContainmentRoot { get; init; }

    public static ModelSource ForFolder(string name, string basePath)
        => new(name, basePath, VersionPolicy.Default, new Dictionary<string, long>(StringComparer.Ordinal));
}
