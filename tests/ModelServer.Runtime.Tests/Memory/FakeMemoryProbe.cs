using ModelServer.Runtime.Memory;

namespace ModelServer.Runtime.Tests.Memory;

/// <summary>A process whose memory the test sets; <see cref="Reclaim"/> drops it to <see cref="ResidentAfterReclaim"/>.</summary>
internal sealed class FakeMemoryProbe : IMemoryProbe
{
    public long ResidentBytes { get; set; }

    public long TotalAllocatedBytes { get; set; }

    public long ManagedHeapBytes { get; set; }

    public long ResidentAfterReclaim { get; set; }

    /// <summary>Levels successive reclaims drop to, before <see cref="ResidentAfterReclaim"/> applies.</summary>
    public Queue<long> LevelsAfterReclaims { get; } = new();

    public int Reclaims { get; private set; }

    public void Reclaim()
    {
        Reclaims++;
        ResidentBytes = LevelsAfterReclaims.Count > 0 ? LevelsAfterReclaims.Dequeue() : ResidentAfterReclaim;
    }
}
