using ModelServer.Testing;

namespace ModelServer.Host.Tests.Images;

/// <summary>The same image through every route that takes images gives the same scores, from one preprocessing.</summary>
public sealed class ImageRouteTests : IDisposable
{
    private readonly ImageHost _host = new();
    private readonly ImageRoutes _routes;

    public ImageRouteTests() => _routes = new ImageRoutes(_host);

    public void Dispose() => _host.Dispose();

    [Theory]
    [InlineData("topleft", true)]
    [InlineData("topright", true)]
    [InlineData("bottom", false)]
    public async Task EveryRouteGivesIdenticalScores(string where, bool png)
    {
        var image = png ? TestImages.Png(where) : TestImages.Jpeg(where);

        var row = await _routes.RestPredictRowAsync("pos", image);
        var columnar = await _routes.RestPredictColumnarAsync("pos", image);
        var grpc = await _routes.GrpcPredictAsync("pos", image);
        var (label, upload) = await _routes.UploadAsync("pos", image, png ? "image/png" : "image/jpeg");
        using var multipart = await _routes.UploadMultipartAsync("pos", image);
        using var classify = await _routes.RestClassifyAsync("pos", "image", image);
        var grpcClassify = await _routes.GrpcClassifyAsync("pos", "image/encoded", image);

        // The model reads pixel positions: the block's quadrant must win.
        Assert.Equal(where, label);
        Assert.Equal(3, row.Length);
        Assert.Equal(row, columnar);
        Assert.Equal(row, grpc);
        Assert.Equal(row, ImageTestModels.PositionLabels.Select(l => upload[l]));
        var fromMultipart = ImageRoutes.Scores(multipart.RootElement.GetProperty("predictions")[0]);
        Assert.Equal(row, ImageTestModels.PositionLabels.Select(l => fromMultipart[l]));
        var results = classify.RootElement.GetProperty("results")[0];
        Assert.Equal(ImageTestModels.PositionLabels, results.EnumerateArray().Select(r => r[0].GetString()));
        Assert.Equal(row, results.EnumerateArray().Select(r => r[1].GetSingle()));
        var classes = grpcClassify.Result.Classifications[0].Classes;
        Assert.Equal(ImageTestModels.PositionLabels, classes.Select(c => c.Label));
        Assert.Equal(row, classes.Select(c => c.Score));
    }

    [Fact]
    public async Task NchwModelClassifiesLikeNhwc()
    {
        foreach (var where in ImageTestModels.PositionLabels)
        {
            var image = TestImages.Png(where);
            var nhwc = await _routes.GrpcPredictAsync("pos", image);
            var nchw = await _routes.GrpcPredictAsync("nchw", image);
            // Same pixels, weights laid out per layout: only the summation order differs.
            Assert.Equal(nhwc.Length, nchw.Length);
            for (var i = 0; i < nhwc.Length; i++)
            {
                Assert.Equal(nhwc[i], nchw[i], 5);
            }

            Assert.Equal(Array.IndexOf(nhwc, nhwc.Max()), Array.IndexOf(nchw, nchw.Max()));
        }
    }

    [Fact]
    public async Task SeveralImagesInOneRequestAreBatchedInOrder()
    {
        var images = ImageTestModels.PositionLabels.Select(TestImages.Png).ToArray();
        using var multipart = await _routes.UploadMultipartAsync("pos", images);
        var labels = multipart.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("label").GetString());
        Assert.Equal(ImageTestModels.PositionLabels, labels);

        using var classify = await _routes.RestClassifyAsync("pos", "image_bytes", images);
        var best = classify.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => r.EnumerateArray().MaxBy(c => c[1].GetSingle())[0].GetString());
        Assert.Equal(ImageTestModels.PositionLabels, best);

        var grpc = await _routes.GrpcClassifyAsync("pos", "image", images);
        Assert.Equal(ImageTestModels.PositionLabels, grpc.Result.Classifications.Select(c => c.Classes.MaxBy(x => x.Score)!.Label));
    }

    [Fact]
    public async Task UploadReplyCarriesModelVersionAndTopK()
    {
        using var content = new ByteArrayContent(TestImages.Png("topright"));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        using var response = await _routes.SendAsync("/v1/models/pos/versions/1:classify?top_k=2", content);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("pos", json.RootElement.GetProperty("model").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt64());
        var prediction = json.RootElement.GetProperty("predictions")[0];
        var scores = prediction.GetProperty("scores").EnumerateObject().ToArray();
        Assert.Equal(2, scores.Length);
        Assert.Equal("topright", scores[0].Name);
        Assert.True(scores[0].Value.GetSingle() >= scores[1].Value.GetSingle());
        Assert.Equal(scores[0].Value.GetSingle(), prediction.GetProperty("score").GetSingle());
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")] // what `curl --data-binary @photo.png` sends
    [InlineData("application/octet-stream")]
    [InlineData("image/webp")] // a wrong label: the bytes decide the format
    public async Task ImageBodiesAreUploadsWhateverTheirContentType(string contentType)
    {
        var (label, _) = await _routes.UploadAsync("pos", TestImages.Png("bottom"), contentType);
        Assert.Equal("bottom", label);
    }

    [Fact]
    public async Task LabelsComeFromLabelsTxtOrFallBackToClassIndex()
    {
        var image = TestImages.Png("topright");
        var (fromFile, fileScores) = await _routes.UploadAsync("labelsfile", image, "image/png");
        Assert.Equal("tr", fromFile);
        Assert.Equal(["b", "tl", "tr"], fileScores.Keys.Order(StringComparer.Ordinal).ToArray());

        var (index, indexScores) = await _routes.UploadAsync("nolabels", image, "image/png");
        Assert.Equal("1", index);
        Assert.Equal(["0", "1", "2"], indexScores.Keys.Order(StringComparer.Ordinal).ToArray());

        var grpc = await _routes.GrpcClassifyAsync("nolabels", "image", image);
        Assert.Equal(["0", "1", "2"], grpc.Result.Classifications[0].Classes.Select(c => c.Label));
    }
}
