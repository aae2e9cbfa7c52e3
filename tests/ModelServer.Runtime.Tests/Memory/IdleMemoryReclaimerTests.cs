using System.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModelServer.Runtime.Memory;

namespace ModelServer.Runtime.Tests.Memory;

public sealed class IdleMemoryReclaimerTests
{
    private const long MB = 1024 * 1024;

    private static readonly MemoryReclaimOptions Options = new()
    {
        CheckIntervalSeconds = 5,
        IdleAllocationBytes = 16 * MB,
        GrowthThresholdBytes = 64 * MB,
    };

    private static IdleMemoryReclaimer Create(FakeMemoryProbe probe, TimeProvider? time = null)
        => new(probe, Microsoft.Extensions.Options.Options.Create(Options), time ?? new FakeTimeProvider(), NullLogger<IdleMemoryReclaimer>.Instance);

    [Fact]
    public void ReclaimsOnceWhenIdleAfterGrowth()
    {
        var probe = new FakeMemoryProbe { ResidentBytes = 200 * MB, ResidentAfterReclaim = 210 * MB };
        var reclaimer = Create(probe);

        // A burst: memory grows and the process allocates heavily; nothing happens while it lasts.
        probe.ResidentBytes = 900 * MB;
        probe.TotalAllocatedBytes += 2_000 * MB;
        Assert.False(reclaimer.Sample());

        // The first quiet interval reclaims, the next ones have nothing new to give back.
        probe.TotalAllocatedBytes += 1 * MB;
        Assert.True(reclaimer.Sample());
        Assert.Equal(210 * MB, probe.ResidentBytes);
        probe.TotalAllocatedBytes += 1 * MB;
        Assert.False(reclaimer.Sample());
        Assert.False(reclaimer.Sample());
        Assert.Equal(1, probe.Reclaims);
    }

    [Fact]
    public void NeverReclaimsUnderLoad()
    {
        var probe = new FakeMemoryProbe { ResidentBytes = 200 * MB, ResidentAfterReclaim = 200 * MB };
        var reclaimer = Create(probe);
        probe.ResidentBytes = 1_500 * MB;
        for (int i = 0; i < 10; i++)
        {
            probe.TotalAllocatedBytes += 100 * MB;
            Assert.False(reclaimer.Sample());
        }

        Assert.Equal(0, probe.Reclaims);
    }

    [Fact]
    public void SmallGrowthIsLeftAlone()
    {
        var probe = new FakeMemoryProbe { ResidentBytes = 200 * MB, ResidentAfterReclaim = 150 * MB };
        var reclaimer = Create(probe);
        probe.ResidentBytes = 250 * MB;
        Assert.False(reclaimer.Sample());
        Assert.Equal(0, probe.Reclaims);
    }

    [Fact]
    public void AGrowthAfterAReclaimIsReclaimedAgainOnceItHasSettled()
    {
        var time = new FakeTimeProvider();
        var probe = new FakeMemoryProbe { ResidentBytes = 200 * MB, ResidentAfterReclaim = 220 * MB };
        var reclaimer = Create(probe, time);
        probe.ResidentBytes = 800 * MB;
        Assert.True(reclaimer.Sample());

        probe.TotalAllocatedBytes += 500 * MB;
        probe.ResidentBytes = 700 * MB;
        Assert.False(reclaimer.Sample());
        // Idle again, but within the settle time of the last reclaim: wait.
        Assert.False(reclaimer.Sample());
        time.Advance(Options.CheckInterval * IdleMemoryReclaimer.SettleIntervals);
        Assert.True(reclaimer.Sample());
        Assert.Equal(2, probe.Reclaims);
    }

    [Fact]
    public void KeepsReclaimingWhileMemoryKeepsComingBack()
    {
        // Some memory is only freed a while after the burst (pooled buffers evicted later): a second pass gets it.
        var time = new FakeTimeProvider();
        var probe = new FakeMemoryProbe { ResidentBytes = 300 * MB, ResidentAfterReclaim = 310 * MB };
        probe.LevelsAfterReclaims.Enqueue(760 * MB);
        var reclaimer = Create(probe, time);
        probe.ResidentBytes = 940 * MB;
        Assert.True(reclaimer.Sample());
        Assert.Equal(760 * MB, probe.ResidentBytes);

        time.Advance(Options.CheckInterval * IdleMemoryReclaimer.SettleIntervals);
        Assert.True(reclaimer.Sample());
        Assert.Equal(310 * MB, probe.ResidentBytes);
        time.Advance(Options.CheckInterval * IdleMemoryReclaimer.SettleIntervals);
        Assert.False(reclaimer.Sample());
    }

    [Fact]
    public void ReclaimsThatGiveLittleBackBackOff()
    {
        // The working set really grew (a larger model): collecting every 30 s would only cost pauses.
        var time = new FakeTimeProvider();
        var probe = new FakeMemoryProbe { ResidentBytes = 200 * MB, ResidentAfterReclaim = 495 * MB };
        var reclaimer = Create(probe, time);
        probe.ResidentBytes = 500 * MB;
        var settle = Options.CheckInterval * IdleMemoryReclaimer.SettleIntervals;
        int reclaims = 0;
        for (int i = 0; i < 30; i++)
        {
            reclaims += reclaimer.Sample() ? 1 : 0;
            time.Advance(settle);
        }

        // 30 settle periods: reclaims after 0, 2, 6, 14 and 30 periods would be 5; fewer than a third of 30 anyway.
        Assert.InRange(reclaims, 3, 6);

        // Traffic resets the back-off: the next burst is reclaimed at the first idle sample.
        probe.TotalAllocatedBytes += 500 * MB;
        Assert.False(reclaimer.Sample());
        time.Advance(settle * IdleMemoryReclaimer.MaxBackoff);
        probe.ResidentBytes = 900 * MB;
        Assert.True(reclaimer.Sample());
    }

    [Fact]
    public async Task SamplesOnTheTimersSchedule()
    {
        var time = new FakeTimeProvider();
        var probe = new FakeMemoryProbe { ResidentBytes = 200 * MB, ResidentAfterReclaim = 200 * MB };
        var reclaimer = Create(probe, time);
        await reclaimer.StartAsync(CancellationToken.None);
        try
        {
            probe.ResidentBytes = 600 * MB;
            // ExecuteAsync starts on the thread pool (.NET 10's BackgroundService), so the timer may not exist
            // yet: step fake time one interval at a time until a tick has sampled, bounded in real time.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (probe.Reclaims == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
            {
                time.Advance(TimeSpan.FromSeconds(5));
                await Task.Delay(10);
            }

            Assert.Equal(1, probe.Reclaims);
        }
        finally
        {
            await reclaimer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void TheProcessProbeGivesCommittedHeapBack()
    {
        // Real GC: leave ~256 MB of large arrays as garbage. A normal full collection frees it but keeps it committed
        // (measured: 233 MB); the reclaim must decommit most of it (measured: 1 MB left).
        var probe = new ProcessMemoryProbe();
        Churn();
        GC.Collect();
        long committedBefore = GC.GetGCMemoryInfo().TotalCommittedBytes;

        probe.Reclaim();

        long committedAfter = GC.GetGCMemoryInfo(GCKind.FullBlocking).TotalCommittedBytes;
        Assert.True(committedAfter < committedBefore / 2, $"committed {committedBefore / MB} MB before, {committedAfter / MB} MB after");
        Assert.Equal(GCLargeObjectHeapCompactionMode.Default, GCSettings.LargeObjectHeapCompactionMode);
    }

    private static void Churn()
    {
        var keep = new List<byte[]>();
        for (int i = 0; i < 256; i++)
        {
            var block = new byte[MB];
            block[i] = 1;
            keep.Add(block);
        }

        GC.KeepAlive(keep);
    }
}
