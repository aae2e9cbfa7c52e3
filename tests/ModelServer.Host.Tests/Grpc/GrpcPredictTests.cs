using Google.Protobuf;
using Grpc.Core;
using ModelServer.Host.Tests.Infrastructure;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Grpc;

public sealed class GrpcPredictTests : IClassFixture<StandardServer>
{
    private readonly StandardServer _server;

    public GrpcPredictTests(StandardServer server)
    {
        _server = server;
    }

    internal static TensorProto FloatTensor(long[] shape, params float[] values)
    {
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(shape) };
        tensor.FloatVal.AddRange(values);
        return tensor;
    }

    internal static TensorShapeProto Shape(params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dim { Size = dim });
        }

        return shape;
    }

    private static PredictRequest Request(string model, string alias, TensorProto tensor)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = model } };
        request.Inputs.Add(alias, tensor);
        return request;
    }

    [Fact]
    public async Task PredictWithTypedValuesAnswersTypedValuesAndTheResolvedSpec()
    {
        var response = await _server.Prediction.PredictAsync(Request("half_plus_two", "x", FloatTensor([3], 1, 2, 5)));
        Assert.Equal([2.5f, 3f, 4.5f], response.Outputs["y"].FloatVal);
        Assert.Equal([3L], response.Outputs["y"].TensorShape.Dim.Select(d => d.Size));
        Assert.Equal("half_plus_two", response.ModelSpec.Name);
        Assert.Equal(1L, response.ModelSpec.Version);
        Assert.Equal("serving_default", response.ModelSpec.SignatureName);
    }

    [Fact]
    public async Task TensorContentInputIsAccepted()
    {
        var values = new float[] { 4, 6 };
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(2) };
        tensor.TensorContent = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        var response = await _server.Prediction.PredictAsync(Request("half_plus_two", "x", tensor));
        Assert.Equal([4f, 5f], response.Outputs["y"].FloatVal);
    }

    [Fact]
    public async Task ASingleValueFillsTheShape()
    {
        var response = await _server.Prediction.PredictAsync(Request("half_plus_two", "x", FloatTensor([3], 2)));
        Assert.Equal([3f, 3f, 3f], response.Outputs["y"].FloatVal);
    }

    [Fact]
    public async Task StringsAndIntegersRoundTrip()
    {
        var strings = new TensorProto { Dtype = DataType.DtString, TensorShape = Shape(1, 2) };
        strings.StringVal.Add(ByteString.CopyFromUtf8("a"));
        strings.StringVal.Add(ByteString.CopyFrom(0xff, 0x00));
        var stringReply = await _server.Prediction.PredictAsync(Request("strings", "text", strings));
        Assert.Equal(strings.StringVal, stringReply.Outputs["echo"].StringVal);

        var longs = new TensorProto { Dtype = DataType.DtInt64, TensorShape = Shape(1, 2) };
        longs.Int64Val.Add(long.MaxValue);
        longs.Int64Val.Add(-1);
        var longReply = await _server.Prediction.PredictAsync(Request("int64s", "in", longs));
        Assert.Equal([long.MaxValue, -1L], longReply.Outputs["out"].Int64Val);

        var halves = new TensorProto { Dtype = DataType.DtHalf, TensorShape = Shape(1, 1) };
        halves.HalfVal.Add(BitConverter.HalfToUInt16Bits((Half)1.5f));
        var halfReply = await _server.Prediction.PredictAsync(Request("halves", "in", halves));
        Assert.Equal((Half)1.5f, BitConverter.UInt16BitsToHalf((ushort)halfReply.Outputs["out"].HalfVal[0]));
    }

    [Fact]
    public async Task OutputFilterSelectsOutputs()
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "two_inputs" } };
        request.Inputs.Add("a", FloatTensor([1, 2], 1, 2));
        request.Inputs.Add("b", FloatTensor([1, 2], 3, 4));
        request.OutputFilter.Add("product");
        var response = await _server.Prediction.PredictAsync(request);
        Assert.Equal(["product"], response.Outputs.Keys);
        Assert.Equal([3f, 8f], response.Outputs["product"].FloatVal);
    }

    [Fact]
    public async Task SpecificVersionIsServed()
    {
        var request = Request("half_plus_two", "x", FloatTensor([1], 0));
        request.ModelSpec.Version = 1;
        var response = await _server.Prediction.PredictAsync(request);
        Assert.Equal(1L, response.ModelSpec.Version);
    }

    public static TheoryData<string, Func<PredictRequest>, StatusCode, string> Errors => new()
    {
        { "missing spec", () => new PredictRequest(), StatusCode.InvalidArgument, "Missing ModelSpec" },
        { "empty name", () => new PredictRequest { ModelSpec = new ModelSpec() }, StatusCode.InvalidArgument, "ModelSpec has no name specified." },
        { "unknown model", () => Request("nope", "x", FloatTensor([1], 1)), StatusCode.NotFound, "Servable not found for request: Latest(nope)" },
        { "unknown version", () => { var r = Request("half_plus_two", "x", FloatTensor([1], 1)); r.ModelSpec.Version = 5; return r; }, StatusCode.NotFound, "Servable not found for request: Specific(half_plus_two, 5)" },
        { "unknown label", () => { var r = Request("half_plus_two", "x", FloatTensor([1], 1)); r.ModelSpec.VersionLabel = "canary"; return r; }, StatusCode.InvalidArgument, "Unrecognized servable version label: canary" },
        { "unknown signature", () => { var r = Request("half_plus_two", "x", FloatTensor([1], 1)); r.ModelSpec.SignatureName = "other"; return r; }, StatusCode.FailedPrecondition, "Serving signature key \"other\" not found." },
        { "unknown alias", () => Request("half_plus_two", "z", FloatTensor([1], 1)), StatusCode.InvalidArgument, "input tensor alias not found in signature: z. Inputs expected to be in the set {x}." },
        { "missing input", () => Request("two_inputs", "a", FloatTensor([1, 2], 1, 2)), StatusCode.InvalidArgument, "input size does not match signature: 1!=2 len({a}) != len({a,b}). Sent extra: {}. Missing but required: {b}." },
        { "wrong dtype", () => Request("half_plus_two", "x", new TensorProto { Dtype = DataType.DtInt32, TensorShape = Shape(1), IntVal = { 1 } }), StatusCode.InvalidArgument, "Expects input 'x' to be float but int32 is provided" },
        { "wrong rank", () => Request("half_plus_two", "x", FloatTensor([1, 1], 1)), StatusCode.InvalidArgument, "input 'x' has shape [1,1] but the signature expects [-1]" },
        { "too many values", () => Request("half_plus_two", "x", FloatTensor([1], 1, 2)), StatusCode.InvalidArgument, "tensor parsing error: x" },
        { "content length", () => Request("half_plus_two", "x", new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(2), TensorContent = ByteString.CopyFrom(1, 2, 3) }), StatusCode.InvalidArgument, "tensor parsing error: x (tensor_content has 3 bytes; float [2] needs 8)" },
        { "negative dim", () => Request("half_plus_two", "x", FloatTensor([-1], 1)), StatusCode.InvalidArgument, "tensor parsing error: x" },
        { "huge shape", () => Request("half_plus_two", "x", FloatTensor([1L << 40], 1)), StatusCode.InvalidArgument, "MaxTensorElements" },
        { "unsupported dtype", () => Request("half_plus_two", "x", new TensorProto { Dtype = DataType.DtComplex64, TensorShape = Shape(1) }), StatusCode.InvalidArgument, "tensor parsing error: x" },
        { "unknown output", () => { var r = Request("half_plus_two", "x", FloatTensor([1], 1)); r.OutputFilter.Add("q"); return r; }, StatusCode.InvalidArgument, "output tensor alias not found in signature: q Outputs expected to be in the set {y}." },
        { "duplicate output", () => { var r = Request("half_plus_two", "x", FloatTensor([1], 1)); r.OutputFilter.Add("y"); r.OutputFilter.Add("y"); return r; }, StatusCode.InvalidArgument, "duplicate output tensor alias: y" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task BadRequestsGetTfServingsStatus(string name, Func<PredictRequest> request, StatusCode code, string message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _server.Prediction.PredictAsync(request()));
        Assert.True(code == error.StatusCode, $"{name}: {error.StatusCode} {error.Status.Detail}");
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnimplementedApisSaySo()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _server.Prediction.RegressAsync(new RegressionRequest()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        error = await Assert.ThrowsAsync<RpcException>(async () => await _server.Prediction.MultiInferenceAsync(new MultiInferenceRequest()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }
}
