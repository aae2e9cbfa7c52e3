using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Images;

/// <summary>Bad images get a 400 / INVALID_ARGUMENT that names the problem; never a 500, and memory stays flat.</summary>
public sealed class BadImageInputTests : IDisposable
{
    private readonly ImageHost _host = new(new Dictionary<string, string>
    {
        ["ModelServer:Images:MaxImagesPerRequest"] = "3",
        ["ModelServer:Images:MaxImageBytes"] = "200000",
        ["ModelServer:Images:AllowedFormats"] = "jpeg,png,webp",
    });

    private readonly ImageRoutes _routes;

    public BadImageInputTests() => _routes = new ImageRoutes(_host);

    public void Dispose() => _host.Dispose();

    public static TheoryData<string, string> BadImages() => new()
    {
        { "text", "not an image in a known format" },
        { "truncated", "cannot be decoded" },
        { "gif", "gif, which is not an allowed format (Images:AllowedFormats" },
        { "huge", "30000x30000" },
        { "big", "over the limit of 200000 (Images:MaxImageBytes)" },
        { "empty", "empty" },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task EveryRouteRefusesWith400NamingTheProblem(string kind, string expected)
    {
        var image = Bad(kind);

        await AssertRest400Async($"/v1/models/pos:predict", Json($$"""{"instances": [{"b64": "{{Convert.ToBase64String(image)}}"}]}"""), expected);
        await AssertRest400Async($"/v1/models/pos:classify", Json($$$"""{"examples": [{"image": {"b64": "{{{Convert.ToBase64String(image)}}}"}}]}"""), expected);
        if (kind != "empty")
        {
            using var upload = new ByteArrayContent(image);
            upload.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            await AssertRest400Async($"/v1/models/pos:classify", upload, expected);
        }

        var client = new PredictionService.PredictionServiceClient(_host.Grpc);
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "pos" } };
        request.Inputs.Add("image", ImageRoutes.StringTensor(image));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.PredictAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImageForAModelWithoutImageInputIsRefused()
    {
        var png = Convert.ToBase64String(TestImages.Png("topleft"));
        await AssertRest400Async("/v1/models/plain:predict", Json($$"""{"instances": [{"b64": "{{png}}"}]}"""), "'x'");
        using var upload = new ByteArrayContent(TestImages.Png("topleft"));
        upload.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        await AssertRest400Async("/v1/models/plain:classify", upload, "declares no image input");

        var client = new PredictionService.PredictionServiceClient(_host.Grpc);
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "plain" } };
        request.Inputs.Add("x", ImageRoutes.StringTensor(TestImages.Png("topleft")));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.PredictAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("declares no image input", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooManyImagesAreRefusedNamingTheLimit()
    {
        var images = Enumerable.Range(0, 4).Select(_ => TestImages.Png("topleft")).ToArray();
        using var form = new MultipartFormDataContent();
        foreach (var image in images)
        {
            form.Add(new ByteArrayContent(image), "file", "a.png");
        }

        await AssertRest400Async("/v1/models/pos:classify", form, "Images:MaxImagesPerRequest");
        var b64 = string.Join(",", images.Select(i => $$"""{"b64": "{{Convert.ToBase64String(i)}}"}"""));
        await AssertRest400Async("/v1/models/pos:predict", Json($$"""{"instances": [{{b64}}]}"""), "Images:MaxImagesPerRequest");

        var client = new PredictionService.PredictionServiceClient(_host.Grpc);
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "pos" } };
        request.Inputs.Add("image", ImageRoutes.StringTensor(images));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.PredictAsync(request));
        Assert.Contains("Images:MaxImagesPerRequest", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedRequestsAreRefused()
    {
        await AssertRest400Async("/v1/models/pos:classify?top_k=0", Image(TestImages.Png("topleft")), "top_k");
        await AssertRest400Async("/v1/models/pos:classify", Json("""{"examples": []}"""), "'examples'");
        await AssertRest400Async("/v1/models/pos:classify", Json("""{"examples": [{"other": 1}]}"""), "no feature 'image'");
        await AssertRest400Async("/v1/models/pos:predict", Json("""{"instances": [{"b64": "@@@"}]}"""), "base64");
        using var noFiles = new MultipartFormDataContent { { new StringContent("x"), "field" } };
        await AssertRest400Async("/v1/models/pos:classify", noFiles, "no file part");
    }

    [Fact]
    public async Task RegressAndMultiInferenceAreUnimplemented()
    {
        var client = new PredictionService.PredictionServiceClient(_host.Grpc);
        var regress = await Assert.ThrowsAsync<RpcException>(async () => await client.RegressAsync(new RegressionRequest { ModelSpec = new ModelSpec { Name = "pos" } }));
        Assert.Equal(StatusCode.Unimplemented, regress.StatusCode);
        Assert.Contains("Regress", regress.Status.Detail, StringComparison.Ordinal);
        var multi = await Assert.ThrowsAsync<RpcException>(async () => await client.MultiInferenceAsync(new MultiInferenceRequest()));
        Assert.Equal(StatusCode.Unimplemented, multi.StatusCode);
        using var response = await _routes.SendAsync("/v1/models/pos:regress", Json("""{"examples": [{"x": 1}]}"""));
        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
    }

    [Fact]
    public async Task MemoryStaysFlatUnderAStreamOfBadImages()
    {
        // Warm up pools and code paths, then compare the managed heap after many more bad requests.
        await SendBadStreamAsync(50);
        var before = HeapAfterCollect();
        await SendBadStreamAsync(300);
        var after = HeapAfterCollect();
        Assert.True(after - before < 32L * 1024 * 1024, $"managed heap grew {(after - before) / 1024} KiB over 300 bad requests");
    }

    private async Task SendBadStreamAsync(int count)
    {
        string[] kinds = ["text", "truncated", "gif", "huge", "big"];
        for (var i = 0; i < count; i++)
        {
            using var content = Image(Bad(kinds[i % kinds.Length]));
            using var response = await _routes.SendAsync("/v1/models/pos:classify", content);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    private static long HeapAfterCollect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    internal static byte[] Bad(string kind) => kind switch
    {
        "text" => Encoding.UTF8.GetBytes("this is not a picture"),
        "truncated" => TestImages.Jpeg("topleft")[..300],
        "gif" => Gif(),
        "huge" => TestImages.PngHeaderOnly(30_000, 30_000),
        "big" => [.. TestImages.Png("topleft"), .. new byte[200_001]],
        "empty" => [],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static byte[] Gif()
    {
        using var image = TestImages.Upright("topleft");
        using var stream = new MemoryStream();
        image.Save(stream, new SixLabors.ImageSharp.Formats.Gif.GifEncoder());
        return stream.ToArray();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static ByteArrayContent Image(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    private async Task AssertRest400Async(string path, HttpContent content, string expected)
    {
        using var response = await _routes.SendAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Contains(expected, json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
