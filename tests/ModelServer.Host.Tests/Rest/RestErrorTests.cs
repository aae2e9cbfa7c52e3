using ModelServer.Host.Tests.Infrastructure;

namespace ModelServer.Host.Tests.Rest;

/// <summary>Every malformed or mismatched REST request gets TF Serving's error and status, never a 500.</summary>
public sealed class RestErrorTests : IClassFixture<StandardServer>
{
    private readonly StandardServer _server;

    public RestErrorTests(StandardServer server)
    {
        _server = server;
    }

    [Theory]
    [InlineData("half_plus_two", "", 400, "JSON Parse error: The document is empty")]
    [InlineData("half_plus_two", "{\"instances\": [1.0, 2.0", 400, "JSON Parse error:")]
    [InlineData("half_plus_two", "[1]", 400, "JSON Value: [1] Is not object")]
    [InlineData("half_plus_two", "{\"instances\": [1], \"inputs\": [1]}", 400, "Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist")]
    [InlineData("half_plus_two", "{\"signature_name\": \"serving_default\"}", 400, "Missing 'inputs' or 'instances' key")]
    [InlineData("half_plus_two", "{\"signature_name\": 3, \"instances\": [1]}", 400, "'signature_name' key must be a string value.")]
    [InlineData("half_plus_two", "{\"signature_name\": \"other\", \"instances\": [1]}", 400, "Serving signature name: \"other\" not found in signature def")]
    [InlineData("half_plus_two", "{\"instances\": 1}", 400, "Expecting 'instances' to be an list/array")]
    [InlineData("half_plus_two", "{\"instances\": []}", 400, "No values in 'instances' array")]
    [InlineData("half_plus_two", "{\"instances\": [[1], 2]}", 400, "Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: Expecting shape [1] but got: []")]
    [InlineData("half_plus_two", "{\"inputs\": [[1, 2], [3]]}", 400, "Encountered list at unexpected size: 1 at level: 1 expected size: 2")]
    [InlineData("half_plus_two", "{\"inputs\": [[1, 2], 3]}", 400, "found at incorrect level")]
    [InlineData("half_plus_two", "{\"inputs\": [1, [2]]}", 400, "Encountered list at unexpected level: 1 expected < 1")]
    [InlineData("half_plus_two", "{\"inputs\": [[1, 2]]}", 400, "input 'x' has shape [1,2] but the signature expects [-1]")]
    [InlineData("half_plus_two", "{\"inputs\": [\"a\"]}", 400, "JSON Value: \"a\" Type: String is not of expected type: float")]
    [InlineData("half_plus_two", "{\"inputs\": [{\"b64\": \"aGk=\"}]}", 400, "Type: Object is not of expected type: float")]
    [InlineData("ints", "{\"inputs\": [[1.5]]}", 400, "JSON Value: 1.5 Type: Number is not of expected type: int32")]
    [InlineData("ints", "{\"inputs\": [[1.0]]}", 400, "JSON Value: 1.0 Type: Number is not of expected type: int32")]
    [InlineData("ints", "{\"inputs\": [[3000000000]]}", 400, "out of range for type: int32")]
    [InlineData("bools", "{\"inputs\": [[1]]}", 400, "JSON Value: 1 Type: Number is not of expected type: bool")]
    [InlineData("strings", "{\"inputs\": [[{\"b64\": \"***\"}]]}", 400, "Unable to base64 decode")]
    [InlineData("strings", "{\"inputs\": [[{\"b64\": 1}]]}", 400, "not formatted correctly for base64 data")]
    [InlineData("two_inputs", "{\"instances\": [[1, 2]]}", 400, "instances is a plain list, but expecting list of objects as multiple input tensors required as per tensorinfo_map")]
    [InlineData("two_inputs", "{\"instances\": [{\"a\": [1, 2]}]}", 400, "keys must be equal to: a,b")]
    [InlineData("two_inputs", "{\"instances\": [{\"a\": [1, 2], \"c\": [1, 2]}]}", 400, "JSON object: does not have named input: c")]
    [InlineData("two_inputs", "{\"instances\": [{\"a\": [1, 2], \"b\": [1, 2]}, [1]]}", 400, "Expecting object but got list at item 1 of input list")]
    [InlineData("two_inputs", "{\"inputs\": [[1, 2]]}", 400, "inputs is a plain value/list, but expecting an object as multiple input tensors required as per tensorinfo_map")]
    [InlineData("two_inputs", "{\"inputs\": {\"a\": [[1, 2]]}}", 400, "Missing named input: b in 'inputs' object.")]
    [InlineData("missing", "{\"instances\": [1]}", 404, "Servable not found for request: Latest(missing)")]
    public async Task BadPredictRequestsGetTfServingsErrors(string model, string body, int expectedStatus, string expectedMessage)
    {
        var (status, reply) = await _server.PostAsync($"/v1/models/{model}:predict", body);
        Assert.Equal(expectedStatus, status);
        Assert.Contains(expectedMessage.Replace("\"", "\\\"", StringComparison.Ordinal), reply, StringComparison.Ordinal);
        Assert.StartsWith("{\"error\":", reply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/models/half_plus_two/versions/9:predict", 404, "Servable not found for request: Specific(half_plus_two, 9)")]
    [InlineData("/v1/models/half_plus_two/labels/stable:predict", 400, "Unrecognized servable version label: stable")]
    [InlineData("/v1/models/half_plus_two/versions/abc:predict", 404, "Malformed request: POST /v1/models/half_plus_two/versions/abc:predict")]
    [InlineData("/v1/models/half_plus_two:regress", 501, "regress is not implemented")]
    public async Task BadPathsGetClearErrors(string path, int expectedStatus, string expectedMessage)
    {
        var (status, reply) = await _server.PostAsync(path, "{\"instances\": [1]}");
        Assert.Equal(expectedStatus, status);
        Assert.Contains(expectedMessage, reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ElementLimitIsCheckedWhileReading()
    {
        using var directory = new ModelServer.Testing.TempDirectory();
        using var factory = ServerFactory.WithStandardModels(directory, new Dictionary<string, string?> { ["ModelServer:MaxTensorElements"] = "4" });
        using var client = factory.CreateClient();
        using var content = new StringContent("{\"inputs\": [1, 2, 3, 4, 5]}");
        using var response = await client.PostAsync(new Uri("/v1/models/half_plus_two:predict", UriKind.Relative), content);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("limit of 4 elements (MaxTensorElements)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestBodyLimitIsCheckedBeforeBuffering()
    {
        using var directory = new ModelServer.Testing.TempDirectory();
        using var factory = ServerFactory.WithStandardModels(directory, new Dictionary<string, string?> { ["ModelServer:MaxRequestBytes"] = "2048" });
        using var client = factory.CreateClient();
        var body = "{\"inputs\": [" + string.Join(",", Enumerable.Repeat("1.0", 1000)) + "]}";
        using var content = new StringContent(body);
        using var response = await client.PostAsync(new Uri("/v1/models/half_plus_two:predict", UriKind.Relative), content);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("larger than the limit of 2048 bytes (MaxRequestBytes)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodiesWithoutALengthAndGzipBombsAreStoppedAtTheLimit(bool gzip)
    {
        // No Content-Length to refuse up front: a chunked body is cut off as it passes the limit, and a gzip body
        // (small on the wire) as its inflated size does.
        using var directory = new ModelServer.Testing.TempDirectory();
        using var factory = ServerFactory.WithStandardModels(directory, new Dictionary<string, string?> { ["ModelServer:MaxRequestBytes"] = "4096" });
        using var client = factory.CreateClient();
        byte[] json = System.Text.Encoding.UTF8.GetBytes("{\"instances\": [" + string.Join(",", Enumerable.Repeat("1.0", 3000)) + "]}");
        byte[] sent = json;
        if (gzip)
        {
            using var compressed = new MemoryStream();
            await using (var stream = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            {
                await stream.WriteAsync(json);
            }

            sent = compressed.ToArray();
            Assert.True(sent.Length < 4096);
        }

        using var content = new StreamContent(new MemoryStream(sent));
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/models/half_plus_two:predict", UriKind.Relative)) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("larger than the limit of 4096 bytes (MaxRequestBytes)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyThatIsNotGzipIsNamedAsSuch()
    {
        using var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes("""{"instances": [1.0]}"""));
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await _server.Http.PostAsync(new Uri("/v1/models/half_plus_two:predict", UriKind.Relative), content);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("Request body is not valid gzip", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
