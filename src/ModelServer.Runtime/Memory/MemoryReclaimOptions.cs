using System.ComponentModel.DataAnnotations;

namespace ModelServer.Runtime.Memory;

/// <summary>
/// When the server hands memory back after a burst (section <c>ModelServer:Memory</c>); validated at start.
/// </summary>
public sealed class MemoryReclaimOptions
{
    public const string Section = "ModelServer:Memory";

    /// <summary>How often the process is sampled, in seconds; 0 turns reclaiming off.</summary>
    [Range(0, 3600)]
    public double CheckIntervalSeconds { get; set; } = 5;

    /// <summary>
    /// The process counts as idle over an interval in which it allocated fewer managed bytes than this. A request
    /// allocates its body, so any real traffic is well above it; a few probes and status calls are below.
    /// </summary>
    [Range(0, 1L << 40)]
    public long IdleAllocationBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Reclaim only when the resident set has grown by at least this much since the last reclaim.</summary>
    [Range(0, 1L << 40)]
    public long GrowthThresholdBytes { get; set; } = 64L * 1024 * 1024;

    public TimeSpan CheckInterval => TimeSpan.FromSeconds(CheckIntervalSeconds);
}
