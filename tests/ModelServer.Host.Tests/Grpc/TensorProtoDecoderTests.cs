using Google.Protobuf;
using ModelServer.Host.Grpc;
using ModelServer.Runtime.Tensors;
using Tensorflow;

namespace ModelServer.Host.Tests.Grpc;

public sealed class TensorProtoDecoderTests
{
    [Fact]
    public void TensorContentIsWrappedWithoutACopy()
    {
        var proto = new TensorProto { Dtype = DataType.DtFloat, TensorShape = GrpcPredictTests.Shape(2), TensorContent = ByteString.CopyFrom(new byte[8]) };
        using var tensor = TensorProtoDecoder.Decode("x", proto, 100);
        // The tensor's memory is the message's own buffer: the parse copy is the only one before ONNX Runtime.
        Assert.True(tensor.Data.Equals(proto.TensorContent.Memory));
    }

    [Fact]
    public void TypedValuesRepeatTheLastOneAndNoneMeansZeros()
    {
        var proto = GrpcPredictTests.FloatTensor([4], 1, 2);
        using var filled = TensorProtoDecoder.Decode("x", proto, 100);
        Assert.Equal([1f, 2f, 2f, 2f], filled.AsSpan<float>().ToArray());

        using var zeros = TensorProtoDecoder.Decode("x", GrpcPredictTests.FloatTensor([3]), 100);
        Assert.Equal([0f, 0f, 0f], zeros.AsSpan<float>().ToArray());
        Assert.Equal(TensorDataType.Float, zeros.DataType);
    }
}
