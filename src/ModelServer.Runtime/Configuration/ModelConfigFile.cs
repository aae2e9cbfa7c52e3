using System.Text.Json.Serialization;

namespace ModelServer.Runtime.Configuration;

/// <summary>
/// A model folder's optional <c>config.json</c> (schema: <c>docs/model-config.schema.json</c>). Missing file or
/// missing fields mean defaults.
/// </summary>
public sealed class ModelConfigFile
{
    [JsonPropertyName("version_policy")]
    public VersionPolicyConfig? VersionPolicy { get; set; }

    [JsonPropertyName("version_labels")]
    public Dictionary<string, long>? VersionLabels { get; set; }

    /// <summary><c>availability_preserving</c> (default) or <c>resource_preserving</c> (unload the old version first).</summary>
    [JsonPropertyName("version_transition")]
    public string? VersionTransition { get; set; }

    [JsonPropertyName("warmup")]
    public WarmupConfig? Warmup { get; set; }

    [JsonPropertyName("batching")]
    public BatchingConfig? Batching { get; set; }

    // Sections other features own ("runtime", "preprocessing") are skipped here, not refused
    // (UnmappedMemberHandling.Skip), so each feature reads its own section from the same file.
}
