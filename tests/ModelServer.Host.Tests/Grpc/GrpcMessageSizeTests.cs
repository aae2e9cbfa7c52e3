using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ModelServer.Host.Tests.Infrastructure;
using ModelServer.Testing;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Grpc;

/// <summary>gRPC's 4 MB default receive limit is raised to MaxRequestBytes on purpose; past it the call fails cleanly.</summary>
public sealed class GrpcMessageSizeTests
{
    private static PredictRequest FloatRequest(int elements)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "half_plus_two" } };
        request.Inputs.Add("x", new TensorProto
        {
            Dtype = DataType.DtFloat,
            TensorShape = GrpcPredictTests.Shape(elements),
            TensorContent = ByteString.CopyFrom(new byte[elements * 4]),
        });
        return request;
    }

    [Fact]
    public async Task MessagesAboveGrpcsDefaultLimitAreAcceptedUpToTheConfiguredOne()
    {
        using var directory = new TempDirectory();
        using var factory = ServerFactory.WithStandardModels(directory, new Dictionary<string, string?> { ["ModelServer:MaxRequestBytes"] = (8 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var channel = GrpcChannel.ForAddress(factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = factory.Server.CreateHandler(), MaxReceiveMessageSize = null });
        var client = new PredictionService.PredictionServiceClient(channel);

        var reply = await client.PredictAsync(FloatRequest(1_500_000));
        Assert.Equal(1_500_000, reply.Outputs["y"].FloatVal.Count);
        Assert.Equal(2f, reply.Outputs["y"].FloatVal[0]);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.PredictAsync(FloatRequest(2_500_000)));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }
}
