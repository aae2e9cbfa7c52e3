using ModelServer.Runtime.Memory;

namespace ModelServer.Runtime.Tests.Memory;

/// <summary>A process whose memory the test sets; <see cref="Reclaim"/> drops it to <see cref="ResidentAfterReclaim"/>.</summary>
internal sealed class FakeMemoryProbe : IMemoryProbe
{
    public long ResidentBytes { get; set; }

    public long TotalAllocatedBytes { get; set; }

    public long ResidentAfterReclaim { get; set; }

    public int Reclaims { get; private set; }

    public void Reclaim()
    {
        Reclaims++;
        ResidentBytes = ResidentAfterReclaim;
    }
}
