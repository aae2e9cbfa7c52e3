using System.Text.Json.Serialization;

namespace ModelServer.Runtime.Configuration;

public sealed class SpecificPolicyConfig
{
    [JsonPropertyName("versions")]
    public List<long> Versions { get; set; } = [];
}
