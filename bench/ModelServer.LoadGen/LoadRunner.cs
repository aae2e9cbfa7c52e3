using System.Diagnostics;

namespace ModelServer.LoadGen;

/// <summary>Drives one step: closed loop (fixed concurrency) or open loop (fixed rate, latency from the intended send time).</summary>
internal static class LoadRunner
{
    public static async Task<StepResult> ClosedLoopAsync(ILoadTarget target, int concurrency, LoadOptions options)
    {
        // Warm-up with the same concurrency, not recorded: first runs, connections, JIT.
        await RunWorkersAsync(target, concurrency, options.Warmup, long.MaxValue, new LatencyRecorder());
        var rssBefore = ProcessMemory.ResidentMb(options.ServerPid);
        var recorder = new LatencyRecorder();
        var elapsed = await RunWorkersAsync(target, concurrency, options.Duration, options.MaxRequests, recorder);
        return recorder.ToResult(options.Label, target.Name, "closed", concurrency, 0, elapsed, rssBefore, ProcessMemory.ResidentMb(options.ServerPid));
    }

    private static async Task<TimeSpan> RunWorkersAsync(ILoadTarget target, int concurrency, TimeSpan duration, long maxRequests, LatencyRecorder recorder)
    {
        using var stop = new CancellationTokenSource(duration);
        var started = Stopwatch.GetTimestamp();
        async Task Worker()
        {
            while (!stop.IsCancellationRequested && recorder.Sent < maxRequests)
            {
                recorder.Sending();
                var sent = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    error = await target.SendAsync(CancellationToken.None);
                }
                catch (Exception ex)
                {
                    error = "exception:" + ex.GetType().Name;
                }

                recorder.Record(error, Stopwatch.GetElapsedTime(sent));
            }
        }

        var workers = Enumerable.Range(0, concurrency)
            .Select(_ => target.IsBlocking ? Task.Factory.StartNew(() => Worker().GetAwaiter().GetResult(), TaskCreationOptions.LongRunning) : Task.Run(Worker))
            .ToArray();
        await Task.WhenAll(workers);
        return Stopwatch.GetElapsedTime(started);
    }

    public static async Task<StepResult> OpenLoopAsync(ILoadTarget target, double rate, LoadOptions options)
    {
        var rssBefore = ProcessMemory.ResidentMb(options.ServerPid);
        var recorder = new LatencyRecorder();
        var period = TimeSpan.FromSeconds(1 / rate);
        var inFlight = 0;
        var pending = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        for (long i = 0; i < options.MaxRequests; i++)
        {
            var intended = started + (long)(i * period.TotalSeconds * Stopwatch.Frequency);
            var now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(started, intended) >= options.Duration)
            {
                break;
            }

            if (intended > now)
            {
                await Task.Delay(Stopwatch.GetElapsedTime(now, intended));
            }

            recorder.Sending();
            if (Volatile.Read(ref inFlight) >= options.MaxInFlight)
            {
                // Never an unbounded backlog on the client: a send that would exceed the cap is counted, not made.
                recorder.Record("client_backlog", TimeSpan.Zero);
                continue;
            }

            Interlocked.Increment(ref inFlight);
            pending.Add(Send(intended));
            if (pending.Count > 8192)
            {
                pending.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(pending);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return recorder.ToResult(options.Label, target.Name, "open", 0, rate, elapsed, rssBefore, ProcessMemory.ResidentMb(options.ServerPid));

        async Task Send(long intended)
        {
            await Task.Yield();
            string? error;
            try
            {
                error = await target.SendAsync(CancellationToken.None);
            }
            catch (Exception ex)
            {
                error = "exception:" + ex.GetType().Name;
            }

            // Latency counts from when the request should have gone out, so a stalled sender or server shows.
            recorder.Record(error, Stopwatch.GetElapsedTime(intended));
            Interlocked.Decrement(ref inFlight);
        }
    }
}
