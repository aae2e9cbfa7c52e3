using System.Buffers;
using System.Runtime.InteropServices;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Host.Rest.Json;

/// <summary>
/// Collects one input's values, as read from JSON, straight into a pooled typed buffer (no DOM, no boxing).
/// The element limit is checked before each growth, so an oversized body fails before its memory is spent.
/// Owns its pooled array until <see cref="Build"/> hands it to the tensor.
/// </summary>
internal sealed class JsonTensorBuilder : IDisposable
{
    private readonly long _maxElements;
    private byte[] _buffer;
    private List<ReadOnlyMemory<byte>>? _strings;

    public JsonTensorBuilder(string name, TensorDataType type, long maxElements, bool acceptsImages = false)
    {
        Name = name;
        Type = type;
        AcceptsImages = acceptsImages && type != TensorDataType.String;
        _maxElements = maxElements;
        _buffer = type == TensorDataType.String ? [] : ArrayPool<byte>.Shared.Rent(256);
        if (type == TensorDataType.String)
        {
            _strings = [];
        }
    }

    public string Name { get; }

    public TensorDataType Type { get; }

    public long Count { get; private set; }

    /// <summary>
    /// The input is a float image input: a <c>{"b64": …}</c> value is an encoded image, collected as one element of
    /// a string tensor that the image binder decodes into the float batch (pixel values and images do not mix).
    /// </summary>
    public bool AcceptsImages { get; }

    public void AddImage(ReadOnlyMemory<byte> encoded)
    {
        if (Count > 0 && _strings is null)
        {
            throw MixedImages();
        }

        Reserve();
        (_strings ??= []).Add(encoded);
        Count++;
    }

    private ServingException MixedImages()
        => ServingException.InvalidArgument($"input '{Name}' mixes {{\"b64\": …}} images with {Type.ToTfName()} values; send one or the other");

    public void Add<T>(T value)
        where T : unmanaged
    {
        if (AcceptsImages && _strings is not null)
        {
            throw MixedImages();
        }

        var size = Type.ElementSize();
        Reserve();
        var offset = checked((int)(Count * size));
        if (offset + size > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, offset + size));
            _buffer.AsSpan(0, offset).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        MemoryMarshal.Write(_buffer.AsSpan(offset, size), in value);
        Count++;
    }

    public void AddString(ReadOnlyMemory<byte> value)
    {
        Reserve();
        _strings!.Add(value);
        Count++;
    }

    private void Reserve()
    {
        if (Count + 1 > _maxElements)
        {
            throw ServingException.InvalidArgument(
                $"input '{Name}' has more than the limit of {_maxElements} elements (MaxTensorElements)");
        }
    }

    public Tensor Build(long[] shape)
    {
        if (TensorShape.ElementCount(shape) != Count)
        {
            throw ServingException.InvalidArgument($"input '{Name}': {Count} values do not fill shape {TensorShape.Format(shape)}");
        }

        if (Type == TensorDataType.String || (AcceptsImages && _strings is not null))
        {
            var strings = _strings!.ToArray();
            _strings = null;
            return Tensor.FromStrings(shape, strings);
        }

        var array = _buffer;
        _buffer = [];
        return Tensor.FromPooledArray(Type, shape, array);
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
