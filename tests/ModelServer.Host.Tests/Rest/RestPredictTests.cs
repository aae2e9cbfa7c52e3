using ModelServer.Host.Tests.Infrastructure;

namespace ModelServer.Host.Tests.Rest;

public sealed class RestPredictTests : IClassFixture<StandardServer>
{
    private readonly StandardServer _server;

    public RestPredictTests(StandardServer server)
    {
        _server = server;
    }

    [Fact]
    public async Task HalfPlusTwoRowFormatGivesTfServingsAnswer()
    {
        var (status, body) = await _server.PostAsync("/v1/models/half_plus_two:predict", """{"instances": [1.0, 2.0, 5.0]}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"predictions":[2.5,3.0,4.5]}""", body);
    }

    [Fact]
    public async Task ColumnarFormatAnswersWithOutputs()
    {
        var (status, body) = await _server.PostAsync("/v1/models/half_plus_two/versions/1:predict", """{"signature_name": "serving_default", "inputs": [1, 3]}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"outputs":[2.5,3.5]}""", body);
    }

    [Fact]
    public async Task RowObjectsFeedSeveralInputsAndReturnObjectsPerRow()
    {
        var (status, body) = await _server.PostAsync(
            "/v1/models/two_inputs:predict",
            """{"instances": [{"a": [1, 2], "b": [3, 4]}, {"a": [5, 6], "b": [7, 8]}]}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"predictions":[{"sum":[4.0,6.0],"product":[3.0,8.0]},{"sum":[12.0,14.0],"product":[35.0,48.0]}]}""", body);
    }

    [Fact]
    public async Task ColumnarObjectFeedsSeveralInputsAndIgnoresExtraKeys()
    {
        var (status, body) = await _server.PostAsync(
            "/v1/models/two_inputs:predict",
            """{"inputs": {"a": [[1, 2]], "b": [[3, 4]], "unused": 7}}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"outputs":{"sum":[[4.0,6.0]],"product":[[3.0,8.0]]}}""", body);
    }

    [Fact]
    public async Task FloatsUseTfServingsText()
    {
        // y = 0.5x + 2, so these inputs give 9e+06, 999999.0, 3e-05-ish values and the non-finite tokens.
        var (status, body) = await _server.PostAsync(
            "/v1/models/half_plus_two:predict",
            """{"inputs": [17999996, 1999994, -3.99994, NaN, Infinity, -Infinity, 12]}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"outputs":[9e+06,999999.0,3.0040741e-05,NaN,Infinity,-Infinity,8.0]}""", body);
    }

    [Fact]
    public async Task StringsRoundTripRawAndBase64()
    {
        var (status, body) = await _server.PostAsync("/v1/models/strings:predict", """{"instances": [["hello", {"b64": "d29ybGQ="}]]}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"predictions":[["hello","world"]]}""", body);
    }

    [Fact]
    public async Task OutputsEndingInBytesComeBackAsBase64()
    {
        var (status, body) = await _server.PostAsync("/v1/models/bytes:predict", """{"instances": [["hi"]]}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"predictions":[[{"b64":"aGk="}]]}""", body);
    }

    [Fact]
    public async Task UrlSafeBase64WithoutPaddingIsAccepted()
    {
        var (status, body) = await _server.PostAsync("/v1/models/strings:predict", """{"inputs": [[{"b64": "Pz8-"}, {"b64": "aGk"}]]}""");
        Assert.Equal(200, status);
        Assert.Equal("""{"outputs":[["??>","hi"]]}""", body);
    }

    [Fact]
    public async Task StringOutputsThatAreNotUtf8StillGiveValidJson()
    {
        var (status, body) = await _server.PostAsync("/v1/models/strings:predict", """{"inputs": [[{"b64": "/w=="}]]}""");
        Assert.Equal(200, status);
        Assert.Equal("{\"outputs\":[[\"\uFFFD\"]]}", body);
    }

    [Theory]
    [InlineData("ints", """{"instances": [[1, -2]]}""", """{"predictions":[[1,-2]]}""")]
    [InlineData("int64s", """{"instances": [[9007199254740993]]}""", """{"predictions":[[9007199254740993]]}""")]
    [InlineData("bools", """{"instances": [[true, false]]}""", """{"predictions":[[true,false]]}""")]
    [InlineData("doubles", """{"instances": [[0.1, 1e300]]}""", """{"predictions":[[0.1,1e+300]]}""")]
    [InlineData("halves", """{"instances": [[1.5, -2]]}""", """{"predictions":[[1.5,-2.0]]}""")]
    [InlineData("uint8s", """{"instances": [[0, 255]]}""", """{"predictions":[[0,255]]}""")]
    public async Task EveryDtypeRoundTrips(string model, string request, string expected)
    {
        var (status, body) = await _server.PostAsync($"/v1/models/{model}:predict", request);
        Assert.Equal(200, status);
        Assert.Equal(expected, body);
    }

    [Fact]
    public async Task GzipBodiesAreAccepted()
    {
        var raw = System.Text.Encoding.UTF8.GetBytes("""{"instances": [1.0]}""");
        using var compressed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(raw);
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await _server.Http.PostAsync(new Uri("/v1/models/half_plus_two:predict", UriKind.Relative), content);
        Assert.Equal("""{"predictions":[2.5]}""", await response.Content.ReadAsStringAsync());
    }
}
