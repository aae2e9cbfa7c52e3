using Microsoft.Extensions.Options;

namespace ModelServer.Host.Tests.Images;

/// <summary>Image limits are validated when the server starts, not at the first image.</summary>
public sealed class ImageOptionsStartupTests
{
    [Theory]
    [InlineData("ModelServer:Images:AllowedFormats", "jpeg,tiff", "tiff")]
    [InlineData("ModelServer:Images:MaxImagesPerRequest", "0", "MaxImagesPerRequest")]
    [InlineData("ModelServer:Images:MaxImageBytes", "-1", "MaxImageBytes")]
    public void InvalidLimitsStopTheServerAtStart(string key, string value, string named)
    {
        var error = Assert.ThrowsAny<Exception>(() =>
        {
            using var host = new ImageHost(new Dictionary<string, string> { [key] = value });
        });

        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains(named, validation.Message, StringComparison.Ordinal);
    }
}
