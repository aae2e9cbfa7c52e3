using System.Diagnostics;
using ModelServer.Runtime.Repository;
using ModelServer.Testing;
using Xunit.Abstractions;

namespace ModelServer.Runtime.Tests.LiveRepository;

/// <summary>Unloading frees what a version held: resident memory after 50 load/unload cycles stays near the first cycle's.</summary>
[Trait("Category", "Soak")]
public sealed class SoakTests
{
    private const int Cycles = 50;
    private readonly ITestOutputHelper _output;

    public SoakTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Fifty_load_unload_cycles_keep_resident_memory_within_ten_percent_of_the_first()
    {
        using var repo = new LiveRepository();
        // 4 M floats = 16 MB of weights: a leaked session per cycle would add ~800 MB over the run.
        TestModels.Publish(repo.Root, "m", 1, TestModels.Weighted(4 * 1024 * 1024));
        var source = ModelSource.ForFolder("m", Path.Combine(repo.Root, "m"));
        long afterFirst = 0;
        long peak = 0;
        var started = Stopwatch.GetTimestamp();
        for (var cycle = 1; cycle <= Cycles; cycle++)
        {
            Assert.True((await repo.Manager.ReconcileAsync(source, CancellationToken.None)).Succeeded);
            using (var handle = repo.Manager.Acquire("m", null, null))
            {
                peak = Math.Max(peak, Resident());
            }

            repo.Manager.Remove("m");
            Assert.Empty(repo.Available("m"));
            var resident = Resident();
            if (cycle == 1)
            {
                afterFirst = resident;
            }

            if (cycle is 1 or 10 or 25 or Cycles)
            {
                _output.WriteLine($"after cycle {cycle}: RSS {resident / 1048576.0:F1} MiB");
            }
        }

        var afterLast = Resident();
        _output.WriteLine($"{Cycles} cycles in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s; peak loaded RSS {peak / 1048576.0:F1} MiB; after first {afterFirst / 1048576.0:F1} MiB, after last {afterLast / 1048576.0:F1} MiB ({100.0 * (afterLast - afterFirst) / afterFirst:+0.0;-0.0} %)");
        Assert.InRange(afterLast, 0, afterFirst * 1.10);
    }

    private static long Resident()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
