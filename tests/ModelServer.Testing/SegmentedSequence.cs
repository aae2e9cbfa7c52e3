using System.Buffers;

namespace ModelServer.Testing;

/// <summary>Bodies as a transport hands them over: a chain of small buffers rather than one array.</summary>
public static class SegmentedSequence
{
    /// <summary>
    /// <paramref name="body"/> as a sequence of <paramref name="size"/>-byte segments (the last one shorter). The
    /// segments wrap <paramref name="body"/>; nothing is copied.
    /// </summary>
    public static ReadOnlySequence<byte> Split(byte[] body, int size)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Segment? first = null, last = null;
        for (var offset = 0; offset < body.Length; offset += size)
        {
            var segment = new Segment(body.AsMemory(offset, Math.Min(size, body.Length - offset)), last);
            first ??= segment;
            last = segment;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
