using System.Buffers;

namespace ModelServer.Runtime.Onnx;

/// <summary>
/// Exposes native memory (an ONNX Runtime output buffer) as <see cref="Memory{T}"/> without copying.
/// It does not own the memory: the <c>OrtValue</c> that does is owned by the same tensor and outlives every use.
/// </summary>
internal sealed unsafe class NativeMemoryManager : MemoryManager<byte>
{
    private readonly byte* _pointer;
    private readonly int _length;

    public NativeMemoryManager(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
