namespace ModelServer.Runtime.Memory;

/// <summary>What <see cref="IdleMemoryReclaimer"/> reads and does; the process's own in production.</summary>
public interface IMemoryProbe
{
    /// <summary>Resident set size of the process, in bytes.</summary>
    long ResidentBytes { get; }

    /// <summary>Managed bytes allocated since the process started (monotonic).</summary>
    long TotalAllocatedBytes { get; }

    /// <summary>
    /// Managed heap size after the last collection, in bytes: live objects plus the fragmentation a compacting
    /// collection could not remove (pinned blocks), so what a reclaim left behind.
    /// </summary>
    long ManagedHeapBytes { get; }

    /// <summary>Gives free memory back to the operating system; blocks while it runs.</summary>
    void Reclaim();
}
