namespace ModelServer.Host.Tests.Images;

/// <summary>Phone photos: EXIF orientation is applied before the model sees the pixels.</summary>
public sealed class ExifOrientationTests : IDisposable
{
    private readonly ImageHost _host = new();
    private readonly ImageRoutes _routes;

    public ExifOrientationTests() => _routes = new ImageRoutes(_host);

    public void Dispose() => _host.Dispose();

    [Theory]
    [InlineData("topleft")]
    [InlineData("topright")]
    [InlineData("bottom")]
    public async Task Orientation6ClassifiesLikeThePhysicallyRotatedPhoto(string where)
    {
        var tagged = await _routes.UploadAsync("pos", TestImages.JpegWithOrientation6(where), "image/jpeg");
        var upright = await _routes.UploadAsync("pos", TestImages.Jpeg(where), "image/jpeg");
        var untagged = await _routes.UploadAsync("pos", TestImages.JpegRotatedWithoutExif(where), "image/jpeg");

        Assert.Equal(where, upright.Label);
        Assert.Equal(upright.Label, tagged.Label);

        // Same picture, encoded from differently oriented pixels: JPEG rounding differs slightly, the class does not.
        foreach (var (label, score) in upright.Scores)
        {
            Assert.InRange(tagged.Scores[label], score - 0.02f, score + 0.02f);
        }

        // Without the tag the stored pixels are sideways and the model sees another picture, so the tag mattered.
        Assert.NotEqual(upright.Label, untagged.Label);
    }
}
