using Microsoft.Extensions.Options;
using ModelServer.Host.Tests.Infrastructure;

namespace ModelServer.Host.Tests.Images;

/// <summary>Image limits are validated when the server starts, not at the first image.</summary>
[Collection(SerialHostStartCollection.Name)]
public sealed class ImageOptionsStartupTests
{
    [Theory]
    [InlineData("ModelServer:Images:AllowedFormats", "jpeg,tiff", "tiff")]
    [InlineData("ModelServer:Images:MaxImagesPerRequest", "0", "MaxImagesPerRequest")]
    [InlineData("ModelServer:Images:MaxImageBytes", "-1", "MaxImageBytes")]
    public void InvalidLimitsStopTheServerAtStart(string key, string value, string named)
    {
        var error = HostStartFailure.Record(() =>
        {
            using var host = new ImageHost(new Dictionary<string, string> { [key] = value });
        });
        Assert.NotNull(error);

        var validation = Flatten(error).OfType<OptionsValidationException>().FirstOrDefault();
        Assert.True(validation is not null, error.ToString());
        Assert.Contains(named, validation.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        yield return error;
        var inner = error is AggregateException aggregate ? aggregate.InnerExceptions : (error.InnerException is { } one ? [one] : []);
        foreach (var child in inner.SelectMany(Flatten))
        {
            yield return child;
        }
    }
}
