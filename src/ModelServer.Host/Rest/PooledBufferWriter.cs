using System.Buffers;

namespace ModelServer.Host.Rest;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}.Shared"/> with a hard size limit, checked before growing.
/// The writer owns its array until <see cref="Dispose"/> or <see cref="DetachArray"/> hands it on.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private readonly long _limit;

    public PooledBufferWriter(int initialCapacity, long limit)
    {
        _limit = limit;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    public int WrittenCount { get; private set; }

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, WrittenCount);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, WrittenCount);

    /// <summary>The written bytes as a segment of the pooled array, for APIs that take arrays; valid until disposed.</summary>
    public ArraySegment<byte> WrittenSegment => new(_buffer, 0, WrittenCount);

    /// <summary>True when the last request to grow would have passed the limit.</summary>
    public bool LimitExceeded { get; private set; }

    public void Advance(int count) => WrittenCount += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(WrittenCount);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(WrittenCount);
    }

    /// <summary>Makes room for <paramref name="sizeHint"/> more bytes; false (and nothing allocated) past the limit.</summary>
    public bool TryEnsure(int sizeHint)
    {
        var needed = (long)WrittenCount + Math.Max(sizeHint, 1);
        if (needed > _limit)
        {
            LimitExceeded = true;
            return false;
        }

        if (needed > _buffer.Length)
        {
            var size = Math.Min(Math.Max(needed, (long)_buffer.Length * 2), Math.Min(_limit, Array.MaxLength));
            var larger = ArrayPool<byte>.Shared.Rent((int)size);
            _buffer.AsSpan(0, WrittenCount).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return true;
    }

    private void Ensure(int sizeHint)
    {
        if (!TryEnsure(sizeHint))
        {
            throw new InvalidOperationException($"Buffer limit of {_limit} bytes exceeded.");
        }
    }

    /// <summary>Hands the pooled array to a new owner (who returns it to the pool); this writer is empty afterwards.</summary>
    public byte[] DetachArray()
    {
        var array = _buffer;
        _buffer = [];
        WrittenCount = 0;
        return array;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
