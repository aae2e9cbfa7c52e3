using System.Text.Json;
using ModelServer.Host.Tests.Infrastructure;

namespace ModelServer.Host.Tests.Rest;

public sealed class RestStatusTests : IClassFixture<StandardServer>
{
    private readonly StandardServer _server;

    public RestStatusTests(StandardServer server)
    {
        _server = server;
    }

    [Theory]
    [InlineData("/v1/models/half_plus_two")]
    [InlineData("/v1/models/half_plus_two/versions/1")]
    [InlineData("/v1/models/half_plus_two/labels/any")]
    public async Task StatusHasTfServingsShape(string path)
    {
        var (status, body) = await _server.GetAsync(path);
        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(body);
        var version = json.RootElement.GetProperty("model_version_status")[0];
        Assert.Equal("1", version.GetProperty("version").GetString());
        Assert.Equal("AVAILABLE", version.GetProperty("state").GetString());
        Assert.Equal("OK", version.GetProperty("status").GetProperty("error_code").GetString());
        Assert.Equal(string.Empty, version.GetProperty("status").GetProperty("error_message").GetString());
    }

    [Theory]
    [InlineData("/v1/models/missing", 404, "Could not find any versions of model missing")]
    [InlineData("/v1/models/half_plus_two/versions/3", 404, "Could not find version 3 of model half_plus_two")]
    public async Task StatusOfUnknownModelsIsNotFound(string path, int expected, string message)
    {
        var (status, body) = await _server.GetAsync(path);
        Assert.Equal(expected, status);
        Assert.Contains(message, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetadataHasTheDoubledSignatureDefShape()
    {
        var (status, body) = await _server.GetAsync("/v1/models/two_inputs/metadata");
        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(body);
        var spec = json.RootElement.GetProperty("model_spec");
        Assert.Equal("two_inputs", spec.GetProperty("name").GetString());
        Assert.Equal("1", spec.GetProperty("version").GetString());
        Assert.Equal(string.Empty, spec.GetProperty("signature_name").GetString());
        var signature = json.RootElement.GetProperty("metadata").GetProperty("signature_def").GetProperty("signature_def").GetProperty("serving_default");
        Assert.Equal("tensorflow/serving/predict", signature.GetProperty("method_name").GetString());
        var a = signature.GetProperty("inputs").GetProperty("a");
        Assert.Equal("DT_FLOAT", a.GetProperty("dtype").GetString());
        var dims = a.GetProperty("tensor_shape").GetProperty("dim");
        Assert.Equal("-1", dims[0].GetProperty("size").GetString());
        Assert.Equal("2", dims[1].GetProperty("size").GetString());
        Assert.True(signature.GetProperty("outputs").TryGetProperty("product", out _));
    }

    [Fact]
    public async Task RepliesAreJson()
    {
        using var response = await _server.Http.GetAsync(new Uri("/v1/models/missing", UriKind.Relative));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
