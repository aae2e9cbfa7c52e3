using Grpc.Core;
using ModelServer.Host.Tests.Infrastructure;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Grpc;

public sealed class GrpcMetadataTests : IClassFixture<StandardServer>
{
    private readonly StandardServer _server;

    public GrpcMetadataTests(StandardServer server)
    {
        _server = server;
    }

    [Fact]
    public async Task MetadataPacksTheSignatureDefMap()
    {
        var request = new GetModelMetadataRequest { ModelSpec = new ModelSpec { Name = "two_inputs" } };
        request.MetadataField.Add("signature_def");
        var response = await _server.Prediction.GetModelMetadataAsync(request);
        Assert.Equal("two_inputs", response.ModelSpec.Name);
        Assert.Equal(1L, response.ModelSpec.Version);
        var any = response.Metadata["signature_def"];
        Assert.Equal("type.googleapis.com/tensorflow.serving.SignatureDefMap", any.TypeUrl);
        var signature = any.Unpack<SignatureDefMap>().SignatureDef["serving_default"];
        Assert.Equal("tensorflow/serving/predict", signature.MethodName);
        Assert.Equal(DataType.DtFloat, signature.Inputs["a"].Dtype);
        Assert.Equal([-1L, 2L], signature.Inputs["a"].TensorShape.Dim.Select(d => d.Size));
        Assert.Equal(["product", "sum"], signature.Outputs.Keys.Order());
    }

    [Theory]
    [InlineData(null, "GetModelMetadataRequest must specify at least one metadata_field")]
    [InlineData("other", "Metadata field other is not supported")]
    public async Task MetadataFieldsAreChecked(string? field, string message)
    {
        var request = new GetModelMetadataRequest { ModelSpec = new ModelSpec { Name = "two_inputs" } };
        if (field is not null)
        {
            request.MetadataField.Add(field);
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () => await _server.Prediction.GetModelMetadataAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
    }

    [Fact]
    public async Task StatusListsVersions()
    {
        var response = await _server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "half_plus_two" } });
        var version = Assert.Single(response.ModelVersionStatus);
        Assert.Equal(1L, version.Version);
        Assert.Equal(ModelVersionStatus.Types.State.Available, version.State);
        Assert.Equal(Tensorflow.Error.Code.Ok, version.Status.ErrorCode);
    }

    [Fact]
    public async Task StatusOfUnknownModelIsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "nope" } }));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("Could not find any versions of model nope", error.Status.Detail);
    }
}
