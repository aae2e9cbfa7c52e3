using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Memory;

/// <summary>
/// Replaces Kestrel's pinned-heap pool factory: the socket transport asks DI for an
/// <see cref="IMemoryPoolFactory{T}"/> and each listener gets a <see cref="ReclaimableBlockMemoryPool"/>. Keeps the
/// pools it made so their sizes can be read.
/// </summary>
internal sealed partial class ReclaimableBlockMemoryPoolFactory(
    TimeProvider time,
    IOptions<ServingOptions> serving,
    ILogger<ReclaimableBlockMemoryPoolFactory> logger) : IMemoryPoolFactory<byte>
{
    private readonly ConcurrentQueue<ReclaimableBlockMemoryPool> _pools = new();

    public IReadOnlyCollection<ReclaimableBlockMemoryPool> Pools => _pools;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new ReclaimableBlockMemoryPool(time, serving.Value.TransportBlockBytes);
        _pools.Enqueue(pool);
        LogPoolCreated(logger, options?.Owner ?? "unnamed", pool.BlockSize, _pools.Count);
        return pool;
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "Transport memory pool for {Owner}: {BlockSize}-byte blocks on the compactable heap, idle ones dropped every 10 s (pool {Count}).")]
    private static partial void LogPoolCreated(ILogger logger, string owner, int blockSize, int count);
}
