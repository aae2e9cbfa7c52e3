using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Classification;
using ModelServer.Runtime.Imaging;
using ModelServer.Runtime.Inference;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Rest.Classify;

/// <summary>
/// <c>POST /v1/models/{m}[/versions/{v}|/labels/{l}]:classify</c>. A JSON body is TF Serving's classify
/// (<c>examples</c> in, <c>results</c> out); an image or multipart body is the upload form, answered with the
/// documented <c>predictions</c> reply and an optional <c>?top_k=</c>.
/// </summary>
internal sealed class ClassifyEndpoint
{
    private readonly Predictor _predictor;
    private readonly Classifier _classifier;
    private readonly ServingOptions _options;
    private readonly ImageOptions _images;

    public ClassifyEndpoint(Predictor predictor, Classifier classifier, IOptions<ServingOptions> options, IOptions<ImageOptions> images)
    {
        _predictor = predictor;
        _classifier = classifier;
        _options = options.Value;
        _images = images.Value;
    }

    public async Task HandleAsync(HttpContext context, RestRoute route, CancellationToken cancellationToken)
    {
        var topK = TopK(context.Request);
        using var servable = _predictor.Acquire(route.Model!, route.Version, route.Label);
        using var body = await RequestBodyReader.ReadAsync(context.Request, _options.MaxRequestBytes, cancellationToken).ConfigureAwait(false);

        // `curl --data-binary @photo.jpg` sends form-urlencoded: image bytes are an upload whatever the label says.
        var upload = ImageUploadReader.IsUpload(context.Request) || ImageFormatSniffer.Detect(body.WrittenSpan) is not null;
        ClassifyResult result;
        if (upload)
        {
            var images = await ImageUploadReader.ReadAsync(context.Request, body.WrittenMemory, _images, cancellationToken).ConfigureAwait(false);
            result = await _classifier.ClassifyImagesAsync(servable, images, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var request = ClassifyJsonReader.Parse(body.WrittenSpan, _images.MaxImagesPerRequest);
            result = await _classifier.ClassifyAsync(servable, request.SignatureName, request.Examples, cancellationToken).ConfigureAwait(false);
        }

        using var output = new PooledBufferWriter(4 * 1024, int.MaxValue);
        if (upload)
        {
            ClassifyJsonWriter.WriteUpload(output, result, topK);
        }
        else
        {
            ClassifyJsonWriter.WriteResults(output, result);
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private static int TopK(HttpRequest request)
    {
        if (!request.Query.TryGetValue("top_k", out var values))
        {
            return int.MaxValue;
        }

        return int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k >= 1
            ? k
            : throw ServingException.InvalidArgument($"top_k must be a positive integer, got '{values}'");
    }
}
