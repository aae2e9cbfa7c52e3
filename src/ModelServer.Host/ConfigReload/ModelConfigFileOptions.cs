using System.ComponentModel.DataAnnotations;

namespace ModelServer.Host.ConfigReload;

/// <summary>TF Serving's <c>--model_config_file</c> and its poll period (section <c>ModelServer</c>); validated at start.</summary>
public sealed class ModelConfigFileOptions
{
    /// <summary>A text-format (or JSON) <c>ModelServerConfig</c>; when set, it replaces the repository folder's model list.</summary>
    public string? ModelConfigFile { get; set; }

    /// <summary>Re-read period in seconds (<c>--model_config_file_poll_wait_seconds</c>); 0 reads it once, as in TF Serving.</summary>
    [Range(0, 86400)]
    public double ModelConfigFilePollWaitSeconds { get; set; }

    /// <summary>Largest config file read (checked before reading).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxModelConfigFileBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long a reload (file or RPC) waits for its models to load before it answers; loading goes on after.</summary>
    [Range(1, 86400)]
    public double ReloadConfigTimeoutSeconds { get; set; } = 300;
}
