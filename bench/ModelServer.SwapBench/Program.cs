using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using ModelServer.SwapBench;
using ModelServer.Testing;

// Usage: dotnet run -c Release --project bench/ModelServer.SwapBench -- [weights-MiB=100] [swaps=5] [cycles=50]
var weightsMiB = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
var swaps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var cycles = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;
var elements = weightsMiB * 1024 * 1024 / 4;

using var folder = new TempDirectory();
Console.WriteLine($"model: {weightsMiB} MiB of float weights ({elements} elements); {Environment.ProcessorCount} cores; .NET {Environment.Version}");
var model = TestModels.Weighted(elements);
TestModels.Publish(folder.Path, "m", 1, model);

using var manager = new ModelManager(Options.Create(new OnnxRuntimeOptions { ExecutionProvider = "cpu" }), NullLogger<ModelManager>.Instance);
using var watcher = new RepositoryWatcher(
    manager,
    Options.Create(new ServingOptions { ModelRepository = folder.Path }),
    Options.Create(new RepositoryWatcherOptions { FileSystemPollWaitSeconds = 0.1 }),
    TimeProvider.System,
    NullLogger<RepositoryWatcher>.Instance);
await watcher.StartAsync(CancellationToken.None);

foreach (var transition in new[] { "availability_preserving", "resource_preserving" })
{
    await File.WriteAllTextAsync(Path.Combine(folder.Path, "m", "config.json"), $$"""{ "version_transition": "{{transition}}" }""");
    await Task.Delay(300);
    Console.WriteLine($"\n{transition}: publish-to-AVAILABLE, RSS before / peak during / after (MiB)");
    for (var swap = 0; swap < swaps; swap++)
    {
        var current = manager.Find("m")!.Available.Keys.Max();
        var next = current + 1;
        var before = Memory.Resident();
        var sampler = Memory.Sample(TimeSpan.FromMilliseconds(5));
        var started = Stopwatch.GetTimestamp();
        TestModels.PublishAtomically(folder.Path, "m", next, model);
        while (!manager.Find("m")!.Available.ContainsKey(next))
        {
            await Task.Delay(1);
        }

        var swapMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        while (manager.GetStatus("m", current).Single().State != ModelVersionState.End)
        {
            await Task.Delay(1);
        }

        var peak = await sampler.StopAsync();
        Directory.Delete(Path.Combine(folder.Path, "m", current.ToString(CultureInfo.InvariantCulture)), recursive: true);
        var after = Memory.Resident();
        Console.WriteLine($"  v{current}->v{next}: {swapMs,7:F0} ms   {Memory.MiB(before),7:F0} / {Memory.MiB(peak),7:F0} / {Memory.MiB(after),7:F0}");
    }
}

await watcher.StopAsync(CancellationToken.None);
Console.WriteLine($"\n{cycles} load/unload cycles of the same version (RSS after each unload, MiB):");
var source = ModelSource.ForFolder("cycle", Path.Combine(folder.Path, "m"));
long first = 0;
for (var cycle = 1; cycle <= cycles; cycle++)
{
    await manager.ReconcileAsync(source, CancellationToken.None);
    manager.Remove("cycle");
    var rss = Memory.Resident();
    first = cycle == 1 ? rss : first;
    if (cycle is 1 or 2 or 5 or 10 or 25 || cycle == cycles)
    {
        Console.WriteLine($"  after cycle {cycle,3}: {Memory.MiB(rss),7:F0}  ({100.0 * (rss - first) / first:+0.0;-0.0} % vs cycle 1)");
    }
}
