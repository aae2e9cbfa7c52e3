using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelServer.Runtime.Memory;

/// <summary>
/// Hands memory back once a burst is over. Under overload the server grows: request bodies on the large object
/// heap, Kestrel's buffers, ONNX Runtime's scratch memory. The GC keeps what it committed for the next burst, and
/// when traffic stops there are no allocations left to trigger a collection, so the resident set stays at its
/// peak for good. Every <see cref="MemoryReclaimOptions.CheckInterval"/> this samples the process; when an
/// interval was idle (almost no allocations) and the resident set is more than the threshold above the lowest level
/// seen, it reclaims (<see cref="IMemoryProbe.Reclaim"/>). Some memory only becomes free a while after a burst
/// (the transport pool drops blocks after 10 idle seconds; Kestrel's own pool evicts 5 % of them every 10 s), so while the process stays idle and above its floor
/// another reclaim follows <see cref="SettleIntervals"/> intervals later; each one that gives back little doubles
/// that wait (up to <see cref="MaxBackoff"/>×), so a server whose working set really grew is collected rarely, not
/// over and over. It never runs under load, where a blocking collection would cost latency.
/// </summary>
public sealed partial class IdleMemoryReclaimer : BackgroundService
{
    private readonly IMemoryProbe _probe;
    private readonly MemoryReclaimOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<IdleMemoryReclaimer> _logger;
    /// <summary>Intervals between two reclaims of one burst.</summary>
    public const int SettleIntervals = 6;

    /// <summary>Largest multiple of the settle time between two reclaims that gave little back.</summary>
    public const int MaxBackoff = 16;

    private int _backoff = 1;
    private long _baselineBytes;
    private long _lastAllocatedBytes;
    private long _nextAllowedTimestamp;

    public IdleMemoryReclaimer(IMemoryProbe probe, IOptions<MemoryReclaimOptions> options, TimeProvider time, ILogger<IdleMemoryReclaimer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _probe = probe;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _baselineBytes = probe.ResidentBytes;
        _lastAllocatedBytes = probe.TotalAllocatedBytes;
    }

    /// <summary>Reclaims run so far (for tests and diagnostics).</summary>
    public int ReclaimCount { get; private set; }

    /// <summary>One sample: reclaims when the interval since the last sample was idle and memory grew.</summary>
    /// <returns>Whether it reclaimed.</returns>
    public bool Sample()
    {
        long allocated = _probe.TotalAllocatedBytes;
        long allocatedInInterval = allocated - _lastAllocatedBytes;
        _lastAllocatedBytes = allocated;
        long resident = _probe.ResidentBytes;
        // Memory given back by itself (or a reclaim that freed more later) lowers the bar for the next one.
        _baselineBytes = Math.Min(_baselineBytes, resident);
        if (allocatedInInterval >= _options.IdleAllocationBytes)
        {
            _backoff = 1; // Busy again: the next burst gets a prompt first reclaim.
            return false;
        }

        if (resident - _baselineBytes < _options.GrowthThresholdBytes)
        {
            return false;
        }

        long started = _time.GetTimestamp();
        if (started < _nextAllowedTimestamp)
        {
            return false;
        }

        _probe.Reclaim();
        long after = _probe.ResidentBytes;
        _lastAllocatedBytes = _probe.TotalAllocatedBytes;
        // Little came back: most of what is left is in use (or a pool releases it slowly). Wait longer next time.
        _backoff = resident - after < _options.GrowthThresholdBytes / 4 ? Math.Min(_backoff * 2, MaxBackoff) : 1;
        _nextAllowedTimestamp = started + (long)(_options.CheckInterval.TotalSeconds * SettleIntervals * _backoff * _time.TimestampFrequency);
        ReclaimCount++;
        LogReclaimed(_logger, resident / (1024 * 1024), after / (1024 * 1024), _probe.ManagedHeapBytes / (1024 * 1024), _time.GetElapsedTime(started).TotalMilliseconds);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.CheckIntervalSeconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.CheckInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Sample();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Idle after a burst: memory reclaimed, resident {BeforeMegabytes} MB -> {AfterMegabytes} MB (managed heap {ManagedMegabytes} MB) in {Milliseconds:F0} ms")]
    private static partial void LogReclaimed(ILogger logger, long beforeMegabytes, long afterMegabytes, long managedMegabytes, double milliseconds);
}
