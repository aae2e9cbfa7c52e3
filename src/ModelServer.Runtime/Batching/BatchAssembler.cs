using System.Buffers;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Batching;

/// <summary>
/// Concatenates the slices of a batch along dimension 0 into pooled input tensors, and cuts the batched outputs back
/// into each slice's rows.
/// </summary>
/// <remarks>
/// Ownership: merged inputs are tensors over arrays from <see cref="ArrayPool{T}.Shared"/>, owned by the batch and
/// disposed when its run ends. Split outputs are pooled copies (<see cref="Tensor.SliceRows"/>) owned by the slice's
/// task until the caller takes them; the batched outputs (ONNX Runtime's buffers) are disposed by the batch.
/// Padding rows repeat the first row of the batch's last slice (as TF Serving does), so they are valid inputs; their
/// results are never copied out.
/// </remarks>
internal static class BatchAssembler
{
    public static Tensor[] MergeInputs(IReadOnlyList<BatchSlice> slices, int batchSize)
    {
        var count = slices[0].Task.Inputs.Count;
        var merged = new Tensor[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                merged[i] = MergeInput(slices, i, batchSize);
            }

            return merged;
        }
        catch
        {
            foreach (var tensor in merged)
            {
                tensor?.Dispose();
            }

            throw;
        }
    }

    private static Tensor MergeInput(IReadOnlyList<BatchSlice> slices, int input, int batchSize)
    {
        var first = slices[0].Task.Inputs[input];
        var shape = first.ShapeArray;
        foreach (var slice in slices)
        {
            // Variable-length inputs were keyed by rank only: the batch takes the largest size of each inner dimension.
            var dims = slice.Task.Inputs[input].Shape;
            for (var d = 1; d < shape.Length; d++)
            {
                shape[d] = Math.Max(shape[d], dims[d]);
            }
        }

        shape[0] = batchSize;
        var rowElements = TensorShape.ElementCount(shape.AsSpan(1));
        var rows = 0;
        if (first.DataType == TensorDataType.String)
        {
            var strings = new ReadOnlyMemory<byte>[batchSize * rowElements];
            foreach (var slice in slices)
            {
                var source = slice.Task.Inputs[input].Strings;
                for (var e = 0; e < slice.Rows * rowElements; e++)
                {
                    strings[(rows * rowElements) + e] = source[(int)((slice.Offset * rowElements) + e)];
                }

                rows += slice.Rows;
            }

            var padFrom = (rows - slices[^1].Rows) * rowElements;
            for (var r = rows; r < batchSize; r++)
            {
                Array.Copy(strings, padFrom, strings, r * rowElements, rowElements);
            }

            return Tensor.FromStrings(shape, strings);
        }

        var elementSize = first.DataType.ElementSize();
        var rowBytes = checked((int)(rowElements * elementSize));
        var totalBytes = checked(batchSize * rowBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(totalBytes, 1));
        try
        {
            var target = buffer.AsSpan(0, totalBytes);
            foreach (var slice in slices)
            {
                var tensor = slice.Task.Inputs[input];
                var destination = target.Slice(rows * rowBytes, slice.Rows * rowBytes);
                if (tensor.Shape[1..].SequenceEqual(shape.AsSpan(1)))
                {
                    tensor.Data.Span.Slice(slice.Offset * rowBytes, slice.Rows * rowBytes).CopyTo(destination);
                }
                else
                {
                    var sourceRowBytes = (int)(TensorShape.ElementCount(tensor.Shape[1..]) * elementSize);
                    destination.Clear();
                    for (var r = 0; r < slice.Rows; r++)
                    {
                        var source = tensor.Data.Span.Slice((slice.Offset + r) * sourceRowBytes, sourceRowBytes);
                        CopyPadded(source, tensor.Shape[1..], destination.Slice(r * rowBytes, rowBytes), shape.AsSpan(1), elementSize);
                    }
                }

                rows += slice.Rows;
            }

            var padding = target.Slice((rows - slices[^1].Rows) * rowBytes, rowBytes);
            for (var r = rows; r < batchSize; r++)
            {
                padding.CopyTo(target.Slice(r * rowBytes, rowBytes));
            }

            return Tensor.FromPooledArray(first.DataType, shape, buffer);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Copies a block of shape <paramref name="sourceDims"/> into the zeroed corner of a larger block of shape <paramref name="targetDims"/>.</summary>
    private static void CopyPadded(ReadOnlySpan<byte> source, ReadOnlySpan<long> sourceDims, Span<byte> target, ReadOnlySpan<long> targetDims, int elementSize)
    {
        if (sourceDims.Length <= 1)
        {
            source.CopyTo(target);
            return;
        }

        var sourceStride = (int)(TensorShape.ElementCount(sourceDims[1..]) * elementSize);
        var targetStride = (int)(TensorShape.ElementCount(targetDims[1..]) * elementSize);
        for (var i = 0; i < sourceDims[0]; i++)
        {
            CopyPadded(source.Slice(i * sourceStride, sourceStride), sourceDims[1..], target.Slice(i * targetStride, targetStride), targetDims[1..], elementSize);
        }
    }

    /// <summary>Each slice's rows of every output, as new tensors the caller owns; throws when an output is not batched.</summary>
    public static Tensor[][] SplitOutputs(IReadOnlyList<Tensor> outputs, IReadOnlyList<BatchSlice> slices, int batchSize)
    {
        foreach (var output in outputs)
        {
            if (output.Shape.Length == 0)
            {
                throw new ServingException(ServingErrorCode.FailedPrecondition, "Batched output tensor has 0 dimensions");
            }

            if (output.Shape[0] != batchSize)
            {
                throw new ServingException(
                    ServingErrorCode.FailedPrecondition,
                    "Batched output tensor's 0th dimension does not equal the sum of the 0th dimension sizes of the input tensors");
            }
        }

        var result = new Tensor[slices.Count][];
        var row = 0;
        try
        {
            for (var s = 0; s < slices.Count; s++)
            {
                result[s] = new Tensor[outputs.Count];
                for (var o = 0; o < outputs.Count; o++)
                {
                    result[s][o] = outputs[o].SliceRows(row, slices[s].Rows);
                }

                row += slices[s].Rows;
            }

            return result;
        }
        catch
        {
            DisposeAll(result);
            throw;
        }
    }

    /// <summary>Joins the outputs of a split request's parts (ordered by first row) into one tensor per output.</summary>
    public static Tensor[] Concat(List<(int Offset, Tensor[] Outputs)> parts)
    {
        parts.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
        var count = parts[0].Outputs.Length;
        var joined = new Tensor[count];
        for (var o = 0; o < count; o++)
        {
            var first = parts[0].Outputs[o];
            var shape = first.ShapeArray;
            shape[0] = parts.Sum(p => p.Outputs[o].Shape[0]);
            if (parts.Any(p => !p.Outputs[o].Shape[1..].SequenceEqual(first.Shape[1..])))
            {
                // Parts of one request padded to different lengths in different batches cannot be joined.
                DisposeAll([joined]);
                throw new ServingException(
                    ServingErrorCode.FailedPrecondition,
                    "The parts of a request split across batches came back with different shapes; send smaller requests or turn off pad_variable_length_inputs or enable_large_batch_splitting.");
            }

            if (first.DataType == TensorDataType.String)
            {
                joined[o] = Tensor.FromStrings(shape, parts.SelectMany(p => p.Outputs[o].Strings).ToArray());
                continue;
            }

            var tensor = Tensor.Rent(first.DataType, shape);
            var target = tensor.AsWritableSpan<byte>();
            var written = 0;
            foreach (var part in parts)
            {
                var data = part.Outputs[o].Data.Span;
                data.CopyTo(target[written..]);
                written += data.Length;
            }

            joined[o] = tensor;
        }

        return joined;
    }

    public static void DisposeAll(IEnumerable<Tensor[]?> groups)
    {
        foreach (var group in groups)
        {
            if (group is null)
            {
                continue;
            }

            foreach (var tensor in group)
            {
                tensor?.Dispose();
            }
        }
    }
}
