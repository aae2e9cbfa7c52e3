using System.Text.Json.Serialization;

namespace ModelServer.Runtime.Configuration;

/// <summary>Mirrors TF Serving's <c>ServableVersionPolicy</c>: exactly one of latest, all, specific.</summary>
public sealed class VersionPolicyConfig
{
    [JsonPropertyName("latest")]
    public LatestPolicyConfig? Latest { get; set; }

    [JsonPropertyName("all")]
    public object? All { get; set; }

    [JsonPropertyName("specific")]
    public SpecificPolicyConfig? Specific { get; set; }
}
