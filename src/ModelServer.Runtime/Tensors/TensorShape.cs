using System.Text;

namespace ModelServer.Runtime.Tensors;

/// <summary>Helpers for shapes held as <c>long[]</c> (ONNX Runtime's form); -1 marks an unknown dimension in signatures.</summary>
public static class TensorShape
{
    /// <summary>Number of elements, or -1 when a dimension is negative or the product overflows.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                return -1;
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                return -1;
            }
        }

        return count;
    }

    public static string Format(ReadOnlySpan<long> shape)
    {
        var builder = new StringBuilder("[");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(shape[i]);
        }

        return builder.Append(']').ToString();
    }

    /// <summary>True when <paramref name="actual"/> fits <paramref name="expected"/>, whose -1 dimensions match anything.</summary>
    public static bool IsCompatible(ReadOnlySpan<long> actual, ReadOnlySpan<long> expected)
    {
        if (actual.Length != expected.Length)
        {
            return false;
        }

        for (var i = 0; i < actual.Length; i++)
        {
            if (expected[i] >= 0 && expected[i] != actual[i])
            {
                return false;
            }
        }

        return true;
    }
}
