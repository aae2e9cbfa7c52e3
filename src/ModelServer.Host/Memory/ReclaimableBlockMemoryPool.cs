using System.Buffers;
using System.Collections.Concurrent;

namespace ModelServer.Host.Memory;

/// <summary>
/// Kestrel's transport buffers, on the ordinary heap so that memory goes back to the system after a burst.
/// Kestrel's default pool allocates each 4 KB block as its own array on the pinned object heap, which the GC never
/// compacts: after an overload run with thousands of connections the evicted blocks left holes between the few
/// still in use, and the process kept a 458 MB heap for 103 MB of live objects. These blocks are pinned only while
/// a socket operation uses them (Kestrel waits for data before it rents a read buffer), so a compacting
/// collection can close the holes. Every <see cref="EvictionInterval"/> the blocks that stayed in the free list
/// for the whole interval (the lowest free count seen since the last check) are dropped; a steady load keeps its
/// working set, and only what an interval did not need is let go. The idle reclaimer's compacting collection then
/// returns the pages.
/// </summary>
internal sealed class ReclaimableBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>Kestrel's own block size, and the smallest a block may be (Kestrel asks for at least that much).</summary>
    public const int MinBlockSize = 4096;

    /// <summary>
    /// The largest block: bigger arrays go to the large object heap, which the GC does not compact, and keeping
    /// transport buffers compactable is this pool's reason to exist.
    /// </summary>
    public const int MaxBlockSize = 64 * 1024;

    public static readonly TimeSpan EvictionInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<ReclaimableBlock> _free = new();
    private readonly ITimer _evictionTimer;
    private int _freeCount;
    private int _lowestFreeCount;
    private long _liveBlocks;
    private long _rentCount;
    private volatile bool _disposed;

    /// <param name="time">Drives the eviction timer.</param>
    /// <param name="blockSize">
    /// Bytes in every block, <see cref="MinBlockSize"/> to <see cref="MaxBlockSize"/>. Kestrel's socket reads fill
    /// whatever block the pipe hands them, so this is also the most one receive call takes.
    /// </param>
    public ReclaimableBlockMemoryPool(TimeProvider time, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, MinBlockSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, MaxBlockSize);
        BlockSize = blockSize;
        _evictionTimer = time.CreateTimer(static state => ((ReclaimableBlockMemoryPool)state!).Evict(), this, EvictionInterval, EvictionInterval);
    }

    /// <summary>Bytes in every block this pool hands out.</summary>
    public int BlockSize { get; }

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks the pool has made and not dropped, rented or free.</summary>
    public long LiveBlocks => Interlocked.Read(ref _liveBlocks);

    /// <summary>Blocks waiting in the free list.</summary>
    public int FreeBlocks => Volatile.Read(ref _freeCount);

    /// <summary>Rents since the pool was created.</summary>
    public long RentCount => Interlocked.Read(ref _rentCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _rentCount);
        if (_free.TryDequeue(out var block))
        {
            LowerLowest(Interlocked.Decrement(ref _freeCount));
            return block;
        }

        LowerLowest(0);
        Interlocked.Increment(ref _liveBlocks);
        return new ReclaimableBlock(this, BlockSize);
    }

    /// <summary>Drops the blocks the last interval did not need; returns how many.</summary>
    public int Evict()
    {
        // The lowest free count of the interval is what stayed unused throughout; the next interval starts from now.
        int surplus = Interlocked.Exchange(ref _lowestFreeCount, Volatile.Read(ref _freeCount));
        int dropped = 0;
        while (dropped < surplus && _free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
            Interlocked.Decrement(ref _liveBlocks);
            dropped++;
        }

        return dropped;
    }

    internal void Return(ReclaimableBlock block)
    {
        if (_disposed)
        {
            Interlocked.Decrement(ref _liveBlocks);
            return;
        }

        _free.Enqueue(block);
        Interlocked.Increment(ref _freeCount);
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _evictionTimer.Dispose();
        while (_free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
            Interlocked.Decrement(ref _liveBlocks);
        }
    }

    private void LowerLowest(int freeCount)
    {
        int lowest = Volatile.Read(ref _lowestFreeCount);
        while (freeCount < lowest)
        {
            int seen = Interlocked.CompareExchange(ref _lowestFreeCount, freeCount, lowest);
            if (seen == lowest)
            {
                return;
            }

            lowest = seen;
        }
    }
}
