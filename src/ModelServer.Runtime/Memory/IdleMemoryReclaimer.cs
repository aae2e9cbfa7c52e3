using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelServer.Runtime.Memory;

/// <summary>
/// Hands memory back once a burst is over. Under overload the server grows: request bodies on the large object
/// heap, Kestrel's buffers, ONNX Runtime's scratch memory. The GC keeps what it committed for the next burst, and
/// when traffic stops there are no allocations left to trigger a collection, so the resident set stays at its
/// peak for good. Every <see cref="MemoryReclaimOptions.CheckInterval"/> this samples the process; when an
/// interval was idle (almost no allocations) and the resident set has grown by more than the threshold since the
/// last reclaim, it reclaims once (<see cref="IMemoryProbe.Reclaim"/>). It never runs under load, where a
/// blocking collection would cost latency, and never twice for the same growth.
/// </summary>
public sealed partial class IdleMemoryReclaimer : BackgroundService
{
    private readonly IMemoryProbe _probe;
    private readonly MemoryReclaimOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<IdleMemoryReclaimer> _logger;
    private long _baselineBytes;
    private long _lastAllocatedBytes;

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
        if (allocatedInInterval >= _options.IdleAllocationBytes || resident - _baselineBytes < _options.GrowthThresholdBytes)
        {
            return false;
        }

        long started = _time.GetTimestamp();
        _probe.Reclaim();
        long after = _probe.ResidentBytes;
        _lastAllocatedBytes = _probe.TotalAllocatedBytes;
        _baselineBytes = after;
        ReclaimCount++;
        LogReclaimed(_logger, resident / (1024 * 1024), after / (1024 * 1024), _time.GetElapsedTime(started).TotalMilliseconds);
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

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Idle after a burst: memory reclaimed, resident {BeforeMegabytes} MB -> {AfterMegabytes} MB in {Milliseconds:F0} ms")]
    private static partial void LogReclaimed(ILogger logger, long beforeMegabytes, long afterMegabytes, double milliseconds);
}
