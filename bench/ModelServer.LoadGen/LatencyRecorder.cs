using System.Collections.Concurrent;
using HdrHistogram;

namespace ModelServer.LoadGen;

/// <summary>
/// Latencies (HdrHistogram, microseconds, 3 significant digits) and error counts of one step; thread-safe. Refusals
/// (HTTP 503 or 429, gRPC UNAVAILABLE or RESOURCE_EXHAUSTED) get a histogram of their own: under overload, how fast
/// the server says no is what tells a refusal from a timeout waiting to happen.
/// </summary>
internal sealed class LatencyRecorder
{
    private const long HighestMicros = 10L * 60 * 1_000_000;

    private readonly LongHistogram _histogram = new(HighestMicros, 3);
    private readonly LongHistogram _refusals = new(HighestMicros, 3);
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _sent;

    public long Sent => Interlocked.Read(ref _sent);

    public void Sending() => Interlocked.Increment(ref _sent);

    public void Record(string? error, TimeSpan latency)
    {
        if (error is not null)
        {
            _errors.AddOrUpdate(error, 1, static (_, n) => n + 1);
            if (!IsRefusal(error))
            {
                return;
            }
        }

        var micros = Math.Clamp((long)latency.TotalMicroseconds, 1, HighestMicros);
        lock (_gate)
        {
            (error is null ? _histogram : _refusals).RecordValue(micros);
        }
    }

    public StepResult ToResult(string label, string target, string mode, int concurrency, double rate, TimeSpan elapsed, double? rssBefore, double? rssAfter)
    {
        lock (_gate)
        {
            var ok = _histogram.TotalCount;
            double Ms(double percentile) => ok == 0 ? 0 : _histogram.GetValueAtPercentile(percentile) / 1000.0;
            double? RefusedMs(double percentile) => _refusals.TotalCount == 0 ? null : _refusals.GetValueAtPercentile(percentile) / 1000.0;
            return new StepResult(
                label,
                target,
                mode,
                concurrency,
                rate,
                Math.Round(elapsed.TotalSeconds, 3),
                Sent,
                ok,
                new SortedDictionary<string, long>(_errors, StringComparer.Ordinal),
                Math.Round(ok / elapsed.TotalSeconds, 1),
                Ms(50),
                Ms(90),
                Ms(99),
                ok == 0 ? 0 : _histogram.GetMaxValue() / 1000.0,
                ok == 0 ? 0 : Math.Round(_histogram.GetMean() / 1000.0, 3),
                rssBefore,
                rssAfter,
                RefusedMs(50),
                RefusedMs(99),
                RefusedMs(100));
        }
    }

    private static bool IsRefusal(string error) => error is "503" or "429" or "Unavailable" or "ResourceExhausted";
}
