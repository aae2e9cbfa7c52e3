using System.Buffers;

namespace ModelServer.Host.Memory;

/// <summary>
/// One buffer of its pool's <see cref="ReclaimableBlockMemoryPool.BlockSize"/>: an ordinary array, so the GC may move it and
/// can compact around it once the pool lets it go. Kestrel's socket sender needs array-backed memory (it builds
/// <see cref="ArraySegment{T}"/> lists for multi-buffer sends). The renter's <see cref="Dispose"/> hands the block back
/// to the pool, as with Kestrel's own blocks; the pool alone decides when to drop it.
/// </summary>
internal sealed class ReclaimableBlock(ReclaimableBlockMemoryPool pool, int size) : IMemoryOwner<byte>
{
    private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(size);

    public Memory<byte> Memory => _array;

    public void Dispose() => pool.Return(this);
}
