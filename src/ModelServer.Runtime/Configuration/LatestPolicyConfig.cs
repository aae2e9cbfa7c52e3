using System.Text.Json.Serialization;

namespace ModelServer.Runtime.Configuration;

public sealed class LatestPolicyConfig
{
    [JsonPropertyName("num_versions")]
    public int NumVersions { get; set; } = 1;
}
