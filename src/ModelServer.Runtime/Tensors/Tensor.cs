using System.Buffers;
using System.Runtime.InteropServices;

namespace ModelServer.Runtime.Tensors;

/// <summary>
/// The Runtime's one tensor type: a data type, a shape, and either a contiguous little-endian element
/// buffer or (for <see cref="TensorDataType.String"/>) a list of byte strings.
/// </summary>
/// <remarks>
/// Ownership: a tensor made by <see cref="Rent"/> owns a buffer from <see cref="ArrayPool{T}.Shared"/> and returns
/// it on <see cref="Dispose"/>; one made by <see cref="Wrap"/> borrows memory that its creator keeps alive (a
/// protobuf <c>ByteString</c> for the life of a gRPC call: the zero-copy input path); one made by
/// <see cref="Adopt"/> owns an arbitrary handle (an ONNX Runtime output value) and disposes it.
/// Disposing twice is harmless; using a disposed tensor is a bug.
/// </remarks>
public sealed class Tensor : IDisposable
{
    private readonly long[] _shape;
    private byte[]? _rented;
    private IDisposable? _owner;
    private ReadOnlyMemory<byte> _data;
    private readonly ReadOnlyMemory<byte>[]? _strings;

    private Tensor(TensorDataType dataType, long[] shape, ReadOnlyMemory<byte> data, byte[]? rented, IDisposable? owner, ReadOnlyMemory<byte>[]? strings)
    {
        DataType = dataType;
        _shape = shape;
        _data = data;
        _rented = rented;
        _owner = owner;
        _strings = strings;
        ElementCount = TensorShape.ElementCount(shape);
    }

    public TensorDataType DataType { get; }

    public ReadOnlySpan<long> Shape => _shape;

    /// <summary>A copy of the shape, for APIs that need an array.</summary>
    public long[] ShapeArray => (long[])_shape.Clone();

    public long ElementCount { get; }

    /// <summary>The element bytes (numeric types only), exactly <c>ElementCount × ElementSize</c> long.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>The elements of a string tensor, row-major.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Strings => _strings ?? throw new InvalidOperationException("Not a string tensor.");

    public ReadOnlySpan<T> AsSpan<T>()
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(_data.Span);

    /// <summary>Writable elements of a tensor made by <see cref="Rent"/>; its creator fills it before sharing it.</summary>
    public Span<T> AsWritableSpan<T>()
        where T : unmanaged
    {
        if (_rented is null)
        {
            throw new InvalidOperationException("Only a rented tensor is writable.");
        }

        return MemoryMarshal.Cast<byte, T>(_rented.AsSpan(0, _data.Length));
    }

    /// <summary>A zero-filled tensor over a pooled buffer, which <see cref="Dispose"/> returns.</summary>
    public static Tensor Rent(TensorDataType dataType, long[] shape)
    {
        ArgumentOutOfRangeException.ThrowIfEqual((int)dataType, (int)TensorDataType.String);
        var count = TensorShape.ElementCount(shape);
        if (count < 0)
        {
            throw new ArgumentException($"Invalid shape {TensorShape.Format(shape)}.", nameof(shape));
        }

        var bytes = checked((int)(count * dataType.ElementSize()));
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1));
        Array.Clear(rented, 0, bytes);
        return new Tensor(dataType, shape, rented.AsMemory(0, bytes), rented, null, null);
    }

    /// <summary>
    /// A tensor over an array rented from <see cref="ArrayPool{T}.Shared"/> whose first bytes the caller has filled;
    /// ownership moves to the tensor, which returns the array on <see cref="Dispose"/>.
    /// </summary>
    public static Tensor FromPooledArray(TensorDataType dataType, long[] shape, byte[] pooledArray)
    {
        var bytes = TensorShape.ElementCount(shape) * dataType.ElementSize();
        if (dataType == TensorDataType.String || bytes < 0 || bytes > pooledArray.Length)
        {
            throw new ArgumentException($"Array of {pooledArray.Length} bytes does not hold a {dataType.ToTfName()} tensor of shape {TensorShape.Format(shape)}.", nameof(pooledArray));
        }

        return new Tensor(dataType, shape, pooledArray.AsMemory(0, (int)bytes), pooledArray, null, null);
    }

    /// <summary>A tensor over memory the caller keeps alive for the tensor's whole life (no copy).</summary>
    public static Tensor Wrap(TensorDataType dataType, long[] shape, ReadOnlyMemory<byte> data)
    {
        var expected = TensorShape.ElementCount(shape) * dataType.ElementSize();
        if (dataType == TensorDataType.String || data.Length != expected)
        {
            throw new ArgumentException($"Buffer of {data.Length} bytes does not hold a {dataType.ToTfName()} tensor of shape {TensorShape.Format(shape)}.", nameof(data));
        }

        return new Tensor(dataType, shape, data, null, null, null);
    }

    /// <summary>A tensor over memory owned by <paramref name="owner"/>, which the tensor disposes.</summary>
    public static Tensor Adopt(TensorDataType dataType, long[] shape, ReadOnlyMemory<byte> data, IDisposable owner)
        => new(dataType, shape, data, null, owner, null);

    public static Tensor FromStrings(long[] shape, ReadOnlyMemory<byte>[] values)
    {
        if (TensorShape.ElementCount(shape) != values.Length)
        {
            throw new ArgumentException($"{values.Length} strings do not fill shape {TensorShape.Format(shape)}.", nameof(values));
        }

        return new Tensor(TensorDataType.String, shape, ReadOnlyMemory<byte>.Empty, null, null, values);
    }

    /// <summary>A copy of this tensor's elements [start, start+count) along dimension 0, as a new rented tensor.</summary>
    public Tensor SliceRows(long start, long count)
    {
        if (_shape.Length == 0)
        {
            throw new InvalidOperationException("A scalar has no rows.");
        }

        var shape = ShapeArray;
        shape[0] = count;
        var rowElements = _shape[0] == 0 ? 0 : ElementCount / _shape[0];
        if (DataType == TensorDataType.String)
        {
            var slice = new ReadOnlyMemory<byte>[count * rowElements];
            for (var i = 0; i < slice.Length; i++)
            {
                slice[i] = _strings![(start * rowElements) + i];
            }

            return FromStrings(shape, slice);
        }

        var rowBytes = (int)(rowElements * DataType.ElementSize());
        var result = Rent(DataType, shape);
        _data.Span.Slice((int)(start * rowBytes), (int)(count * rowBytes)).CopyTo(result._rented);
        return result;
    }

    public void Dispose()
    {
        var rented = Interlocked.Exchange(ref _rented, null);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        Interlocked.Exchange(ref _owner, null)?.Dispose();
        _data = ReadOnlyMemory<byte>.Empty;
    }
}
