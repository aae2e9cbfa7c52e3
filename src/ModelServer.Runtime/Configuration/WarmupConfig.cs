using System.Text.Json.Serialization;

namespace ModelServer.Runtime.Configuration;

/// <summary><c>config.json</c>'s <c>warmup</c> section: whether to warm up and with which batch sizes (default: on, batch 1).</summary>
public sealed class WarmupConfig
{
    [JsonPropertyName("enabled")]
    public bool Enabled { get; set; } = true;

    [JsonPropertyName("batch_sizes")]
    public List<int>? BatchSizes { get; set; }
}
