using Microsoft.Extensions.Time.Testing;
using ModelServer.Host.Memory;

namespace ModelServer.Host.Tests.Memory;

public sealed class ReclaimableBlockMemoryPoolTests
{
    private const int BlockSize = 16 * 1024;

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_returned_block_is_reused_and_is_array_backed()
    {
        using var pool = new ReclaimableBlockMemoryPool(_time, BlockSize);
        var first = pool.Rent();
        Assert.Equal(BlockSize, first.Memory.Length);
        // Kestrel's socket sender turns multi-block sends into ArraySegment lists.
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(first.Memory, out var segment));
        Assert.Equal(BlockSize, segment.Count);
        first.Memory.Span.Fill(7);

        first.Dispose();
        using var second = pool.Rent();

        Assert.Same(first, second);
        Assert.Equal(1, pool.LiveBlocks);
        Assert.Equal(2, pool.RentCount);
    }

    [Fact]
    public void Blocks_idle_for_a_whole_interval_are_dropped_and_blocks_in_use_are_kept()
    {
        using var pool = new ReclaimableBlockMemoryPool(_time, BlockSize);
        var rented = Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToList();
        foreach (var block in rented.Take(8))
        {
            block.Dispose();
        }

        Assert.Equal(10, pool.LiveBlocks);
        // Returned during this interval: not yet idle for a whole one.
        _time.Advance(ReclaimableBlockMemoryPool.EvictionInterval);
        Assert.Equal(10, pool.LiveBlocks);

        // A steady load of three blocks at a time in the next interval: those three stay pooled.
        var busy = Enumerable.Range(0, 3).Select(_ => pool.Rent()).ToList();
        busy.ForEach(b => b.Dispose());
        _time.Advance(ReclaimableBlockMemoryPool.EvictionInterval);
        Assert.Equal(2 + 3, pool.LiveBlocks);
        Assert.Equal(3, pool.FreeBlocks);

        // Idle: the rest of the free list goes; the two still rented are untouched and come back later.
        _time.Advance(ReclaimableBlockMemoryPool.EvictionInterval);
        Assert.Equal(2, pool.LiveBlocks);
        rented[8].Dispose();
        rented[9].Dispose();
        _time.Advance(ReclaimableBlockMemoryPool.EvictionInterval * 2);
        Assert.Equal(0, pool.LiveBlocks);
    }

    [Fact]
    public void Disposing_drops_the_pool_and_blocks_returned_afterwards()
    {
        var pool = new ReclaimableBlockMemoryPool(_time, BlockSize);
        var held = pool.Rent();
        pool.Rent().Dispose();

        pool.Dispose();
        Assert.Equal(1, pool.LiveBlocks);
        held.Dispose();

        Assert.Equal(0, pool.LiveBlocks);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    [Theory]
    [InlineData(ReclaimableBlockMemoryPool.MinBlockSize - 1)]
    [InlineData(ReclaimableBlockMemoryPool.MaxBlockSize + 1)]
    public void A_block_size_outside_4_to_64_KB_is_refused(int blockSize)
    {
        // Below Kestrel's 4 KB it would ask for more than a block; above 64 KB the arrays land on the large object heap.
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReclaimableBlockMemoryPool(_time, blockSize));
    }

    [Fact]
    public void A_request_for_more_than_a_block_is_refused()
    {
        using var pool = new ReclaimableBlockMemoryPool(_time, BlockSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BlockSize + 1));
        using var exact = pool.Rent(BlockSize);
        Assert.Equal(BlockSize, pool.MaxBufferSize);
    }
}
