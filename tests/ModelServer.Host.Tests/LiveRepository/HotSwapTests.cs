using System.Diagnostics;
using Grpc.Core;
using ModelServer.Testing;
using Tensorflow.Serving;
using Xunit.Abstractions;

namespace ModelServer.Host.Tests.LiveRepository;

public sealed class HotSwapTests
{
    private const int Swaps = 20;
    private const int Clients = 4;
    private readonly ITestOutputHelper _output;

    public HotSwapTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Twenty_swaps_under_continuous_load_fail_no_request_and_every_reply_names_the_version_that_produced_it(bool batching)
    {
        using var directory = new TempDirectory();
        TestModels.Publish(directory.Path, "m", 1, TestModels.Versioned(1));
        // With batching on, requests queue per version: a swap must drain the old version's queue too.
        using var server = new LiveServer(directory.Path, new Dictionary<string, string?> { ["ModelServer:EnableBatching"] = batching ? "true" : "false" });
        using var channel = server.Channel();
        var prediction = new PredictionService.PredictionServiceClient(channel);
        var models = new ModelService.ModelServiceClient(channel);
        Assert.Equal((1f, 1L), await LiveServer.PredictAsync(prediction, "m"));

        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(() => ClientAsync(prediction, stop.Token))).ToArray();
        var swapMs = new List<double>();
        for (var version = 2L; version <= Swaps + 1; version++)
        {
            var started = Stopwatch.GetTimestamp();
            TestModels.PublishAtomically(directory.Path, "m", version, TestModels.Versioned(version));
            var published = version;
            await LiveServer.WaitUntilAsync($"version {published} AVAILABLE", async () =>
                (await LiveServer.StatusAsync(models, "m", published))?.State == ModelVersionStatus.Types.State.Available);
            swapMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

            // latest{1}: the old version was withdrawn when the new one turned AVAILABLE; now its folder goes too.
            await LiveServer.WaitUntilAsync($"version {published - 1} END", async () =>
                (await LiveServer.StatusAsync(models, "m", published - 1))?.State == ModelVersionStatus.Types.State.End);
            Directory.Delete(Path.Combine(directory.Path, "m", (version - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), recursive: true);
        }

        await stop.CancelAsync();
        var results = await Task.WhenAll(clients);

        var total = results.Sum(r => r.Requests);
        _output.WriteLine($"batching {(batching ? "on" : "off")}: {Swaps} swaps, {total} requests from {Clients} clients; publish-to-AVAILABLE median {Median(swapMs):F0} ms, max {swapMs.Max():F0} ms");
        Assert.All(results, r => Assert.Empty(r.Failures));
        Assert.All(results, r => Assert.True(r.Requests > Swaps, $"a client sent only {r.Requests} requests"));

        // With batching on, each version got its own batch queue (event 5001), so swaps went through the batcher.
        Assert.Equal(batching, server.Log.Count(l => l.StartsWith("5001 ", StringComparison.Ordinal)) > Swaps);

        // Every version got traffic at some point, and the last one serves now.
        var seen = results.SelectMany(r => r.Versions).ToHashSet();
        Assert.Contains(Swaps + 1L, seen);
        Assert.Equal((Swaps + 1f, Swaps + 1L), await LiveServer.PredictAsync(prediction, "m"));
    }

    private static async Task<ClientResult> ClientAsync(PredictionService.PredictionServiceClient client, CancellationToken stop)
    {
        var result = new ClientResult();
        var last = 0L;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var (y, version) = await LiveServer.PredictAsync(client, "m");
                result.Requests++;
                result.Versions.Add(version);
                if (y != version)
                {
                    result.Failures.Add($"reply names version {version} but its output says {y}");
                }

                if (version < last)
                {
                    result.Failures.Add($"version went back from {last} to {version}");
                }

                last = version;
            }
            catch (RpcException ex)
            {
                result.Failures.Add($"{ex.StatusCode}: {ex.Status.Detail}");
            }
        }

        return result;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private sealed class ClientResult
    {
        public int Requests { get; set; }

        public List<string> Failures { get; } = [];

        public HashSet<long> Versions { get; } = [];
    }
}
