using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Tests.Tensors;

public sealed class TensorTests
{
    [Fact]
    public void RentedTensorsAreZeroedAndSized()
    {
        using var tensor = Tensor.Rent(TensorDataType.Int64, [2, 3]);
        Assert.Equal(6, tensor.ElementCount);
        Assert.Equal(48, tensor.Data.Length);
        Assert.All(tensor.AsSpan<long>().ToArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void WrapRefusesABufferOfTheWrongSize()
        => Assert.Throws<ArgumentException>(() => Tensor.Wrap(TensorDataType.Float, [3], new byte[8]));

    [Fact]
    public void SliceRowsCopiesTheRows()
    {
        using var tensor = Tensor.Rent(TensorDataType.Int32, [3, 2]);
        var values = tensor.AsWritableSpan<int>();
        for (var i = 0; i < 6; i++)
        {
            values[i] = i;
        }

        using var slice = tensor.SliceRows(1, 2);
        Assert.Equal([2L, 2L], slice.ShapeArray);
        Assert.Equal([2, 3, 4, 5], slice.AsSpan<int>().ToArray());
    }

    [Fact]
    public void ShapesFormatAndMatch()
    {
        Assert.Equal("[-1,3]", TensorShape.Format([-1, 3]));
        Assert.True(TensorShape.IsCompatible([5, 3], [-1, 3]));
        Assert.False(TensorShape.IsCompatible([5, 4], [-1, 3]));
        Assert.False(TensorShape.IsCompatible([5], [-1, 3]));
        Assert.Equal(-1, TensorShape.ElementCount([long.MaxValue, 4]));
    }
}
