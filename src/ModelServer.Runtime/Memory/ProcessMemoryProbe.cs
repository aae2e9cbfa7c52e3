using System.Runtime;
using ModelServer.Runtime.Repository;

namespace ModelServer.Runtime.Memory;

/// <summary>
/// The process's memory: RSS from the OS, allocations from the GC. <see cref="Reclaim"/> runs an aggressive,
/// compacting full collection, which also decommits the GC's free regions (a normal gen-2 collection keeps them
/// committed for the next burst, and with no allocations after a burst no collection runs at all), compacts the
/// large object heap where request bodies live, then trims glibc's heap, where ONNX Runtime and the native
/// libraries free into.
/// </summary>
public sealed class ProcessMemoryProbe : IMemoryProbe
{
    public long ResidentBytes => Environment.WorkingSet;

    public long TotalAllocatedBytes => GC.GetTotalAllocatedBytes(precise: false);

    public long ManagedHeapBytes => GC.GetGCMemoryInfo().HeapSizeBytes;

    public void Reclaim()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
    }
}
