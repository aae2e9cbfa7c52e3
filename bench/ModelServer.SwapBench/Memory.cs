using System.Diagnostics;

namespace ModelServer.SwapBench;

/// <summary>Resident set size of this process, settled (after a full GC) or sampled in the background for a peak.</summary>
internal static class Memory
{
    public static double MiB(long bytes) => bytes / 1048576.0;

    public static long Resident()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Current();
    }

    public static Sampler Sample(TimeSpan period) => new(period);

    private static long Current()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    internal sealed class Sampler
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<long> _peak;

        public Sampler(TimeSpan period)
        {
            _peak = Task.Run(async () =>
            {
                var peak = Current();
                while (!_stop.IsCancellationRequested)
                {
                    peak = Math.Max(peak, Current());
                    await Task.Delay(period).ConfigureAwait(false);
                }

                return peak;
            });
        }

        public async Task<long> StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            var peak = await _peak.ConfigureAwait(false);
            _stop.Dispose();
            return peak;
        }
    }
}
