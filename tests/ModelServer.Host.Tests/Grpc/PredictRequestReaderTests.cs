using System.Buffers;
using System.Runtime.InteropServices;
using Google.Protobuf;
using ModelServer.Host.Grpc;
using ModelServer.Testing;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Grpc;

public sealed class PredictRequestReaderTests
{
    private static readonly byte[] Content = [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 7))];

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void ReadsWhatGoogleProtobufReads_FromBodiesSplitAnywhere(int segmentSize)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "rps", Version = 3, SignatureName = "serving_default" } };
        request.OutputFilter.Add("probabilities");
        request.Inputs.Add("images", ContentTensor(Content));
        request.Inputs.Add("scale", GrpcPredictTests.FloatTensor([2], 1.5f, 2.5f));
        var strings = new TensorProto { Dtype = DataType.DtString, TensorShape = GrpcPredictTests.Shape(1) };
        strings.StringVal.Add(ByteString.CopyFromUtf8("not an image"));
        request.Inputs.Add("encoded", strings);

        using var pooled = PredictRequestReader.Read(SegmentedSequence.Split(request.ToByteArray(), segmentSize));

        Assert.Equal(request, pooled.Request);
        Assert.Equal(1, pooled.RentedCount);
        // The content sits in a pooled array (at least as long as the content), not in one of exactly its size.
        Assert.True(MemoryMarshal.TryGetArray(pooled.Request.Inputs["images"].TensorContent.Memory, out var segment));
        Assert.Equal(0, segment.Offset);
        Assert.Equal(Content.Length, segment.Count);
    }

    [Fact]
    public void EveryInputInTensorContentGetsItsOwnArray()
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "two" } };
        request.Inputs.Add("a", ContentTensor(Content));
        request.Inputs.Add("b", ContentTensor([.. Content.Reverse()]));

        using var pooled = PredictRequestReader.Read(new ReadOnlySequence<byte>(request.ToByteArray()));

        Assert.Equal(request, pooled.Request);
        Assert.Equal(2, pooled.RentedCount);
    }

    [Fact]
    public void UnknownFieldsAndEmptyContentAreKept()
    {
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = GrpcPredictTests.Shape(0) };
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "m" } };
        request.Inputs.Add("x", tensor);
        // Field 15 (varint 1) at the top level and inside the tensor: Google.Protobuf keeps both as unknown fields.
        var body = request.ToByteArray().Concat(new byte[] { 15 << 3, 1 }).ToArray();
        var expected = PredictRequest.Parser.ParseFrom(body);

        using var pooled = PredictRequestReader.Read(new ReadOnlySequence<byte>(body));

        Assert.Equal(expected, pooled.Request);
        Assert.Equal(0, pooled.RentedCount);
    }

    [Fact]
    public void RepeatedFieldsFollowGoogleProtobufsMergeRules()
    {
        // Two serialized messages back to back are one merged message: tensor_content twice (the last wins), the same
        // map key twice (the last entry wins), and a map value split over two occurrences (merged).
        var first = new PredictRequest { ModelSpec = new ModelSpec { Name = "m" } };
        first.Inputs.Add("x", ContentTensor([1, 2, 3, 4]));
        var second = new PredictRequest();
        second.Inputs.Add("x", ContentTensor([5, 6, 7, 8]));
        var tensorTwice = new TensorProto { TensorContent = ByteString.CopyFrom(9, 9, 9, 9) }.ToByteArray()
            .Concat(ContentTensor([10, 11, 12, 13]).ToByteArray()).ToArray();
        var entry = new byte[] { 0x0A, 1, (byte)'y', 0x12, (byte)tensorTwice.Length }.Concat(tensorTwice).ToArray();
        var body = first.ToByteArray().Concat(second.ToByteArray()).Concat(new byte[] { 0x12, (byte)entry.Length }).Concat(entry).ToArray();

        using var pooled = PredictRequestReader.Read(SegmentedSequence.Split(body, 5));

        var expected = PredictRequest.Parser.ParseFrom(body);
        Assert.Equal(expected, pooled.Request);
        Assert.Equal([5, 6, 7, 8], pooled.Request.Inputs["x"].TensorContent.ToByteArray());
        Assert.Equal([10, 11, 12, 13], pooled.Request.Inputs["y"].TensorContent.ToByteArray());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(20)]
    [InlineData(500)]
    public void A_TruncatedBody_FailsAsGoogleProtobufFails(int keep)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "rps" } };
        request.Inputs.Add("images", ContentTensor(Content));
        var body = request.ToByteArray()[..keep];

        var expected = Assert.Throws<InvalidProtocolBufferException>(() => PredictRequest.Parser.ParseFrom(body));
        var actual = Assert.Throws<InvalidProtocolBufferException>(() => PredictRequestReader.Read(new ReadOnlySequence<byte>(body)));
        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public void A_KeyThatIsNotUtf8_FailsAsGoogleProtobufFails()
    {
        var tensor = ContentTensor([1, 2, 3, 4]).ToByteArray();
        var entry = new byte[] { 0x0A, 2, 0xC3, 0x28, 0x12, (byte)tensor.Length }.Concat(tensor).ToArray();
        var body = new byte[] { 0x12, (byte)entry.Length }.Concat(entry).ToArray();

        var expected = Record.Exception(() => PredictRequest.Parser.ParseFrom(body));
        var actual = Record.Exception(() => PredictRequestReader.Read(new ReadOnlySequence<byte>(body)));
        Assert.NotNull(expected);
        Assert.IsType(expected.GetType(), actual);
        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public void DisposeGivesTheArraysBackOnce()
    {
        var request = new PredictRequest();
        request.Inputs.Add("x", ContentTensor(Content));
        var pooled = PredictRequestReader.Read(new ReadOnlySequence<byte>(request.ToByteArray()));

        pooled.Dispose();
        pooled.Dispose();

        Assert.Equal(0, pooled.RentedCount);
    }

    private static TensorProto ContentTensor(byte[] content) => new()
    {
        Dtype = DataType.DtUint8,
        TensorShape = GrpcPredictTests.Shape(content.Length),
        TensorContent = ByteString.CopyFrom(content),
    };
}
