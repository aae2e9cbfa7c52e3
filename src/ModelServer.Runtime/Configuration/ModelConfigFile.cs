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

    [JsonPropertyName("batching")]
    public BatchingConfig? Batching { get; set; }
}
