using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using ModelServer.Host.Rest.Classify;
using ModelServer.Host.Rest.Json;
using ModelServer.Host.TensorFlow;
using ModelServer.Runtime.Batching;
using ModelServer.Runtime.Imaging;
using ModelServer.Runtime.Inference;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Rest;

/// <summary>
/// TF Serving's REST API under <c>/v1/</c>: predict, model status and metadata. Paths are matched with TF Serving's
/// own patterns; everything here translates JSON to the Runtime and back.
/// </summary>
internal sealed class RestApi
{
    private static readonly JsonFormatter ProtoJson = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true));

    private readonly Predictor _predictor;
    private readonly ModelManager _models;
    private readonly ServingOptions _options;
    private readonly ImageInputBinder _images;
    private readonly ClassifyEndpoint _classify;
    private readonly IRequestAdmission? _admission;

    public RestApi(Predictor predictor, ModelManager models, IOptions<ServingOptions> options, ImageInputBinder images, ClassifyEndpoint classify, IRequestAdmission? admission = null)
    {
        _predictor = predictor;
        _models = models;
        _options = options.Value;
        _images = images;
        _classify = classify;
        _admission = admission;
    }

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/v1/{**path}", [HttpMethods.Get, HttpMethods.Post], (HttpContext context, RestApi api) => api.HandleAsync(context));
    }

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(_options.RestApiTimeoutInMs);
        try
        {
            if (HttpMethods.IsPost(context.Request.Method) && RestRoute.MatchPost(path) is { } post)
            {
                await PostAsync(context, post, timeout.Token).ConfigureAwait(false);
            }
            else if (HttpMethods.IsGet(context.Request.Method) && RestRoute.MatchGet(path) is { } get)
            {
                await GetAsync(context, get).ConfigureAwait(false);
            }
            else
            {
                await RestErrors.WriteAsync(context, 404, $"Malformed request: {context.Request.Method} {path}").ConfigureAwait(false);
            }
        }
        catch (ServingException ex)
        {
            await RestErrors.WriteAsync(context, ex).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            await RestErrors.WriteAsync(context, 504, $"Request timed out after {_options.RestApiTimeoutInMs} ms (--rest_api_timeout_in_ms)").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody reads a reply.
        }
    }

    private async Task PostAsync(HttpContext context, RestRoute route, CancellationToken cancellationToken)
    {
        if (route.Verb == "classify")
        {
            await _classify.HandleAsync(context, route, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (route.Verb != "predict")
        {
            throw ServingException.Unimplemented(
                $"{route.Verb} is not implemented: ONNX models have no regression signature; use :predict (or :classify for class scores).");
        }

        using var servable = _predictor.Acquire(route.Model!, route.Version, route.Label);

        // Under overload, turn the request away before reading and parsing its body (the expensive part of REST).
        _admission?.ThrowIfQueueFull(servable);
        using var body = await RequestBodyReader.ReadAsync(context.Request, _options.MaxRequestBytes, cancellationToken).ConfigureAwait(false);
        using var request = PredictJsonReader.Parse(body.WrittenSpan, servable.Model.Signature, _options.MaxTensorElements, ImageInputBinder.ImageInputs(servable.Model));

        // {"b64": …} images for a float image input arrive as string tensors; decode them into the float batch.
        _images.Bind(servable.Model, servable.ModelName, request.Inputs);
        if (!string.IsNullOrEmpty(request.SignatureName) && request.SignatureName != ModelSignature.DefaultName)
        {
            throw ServingException.InvalidArgument($"Serving signature name: \"{request.SignatureName}\" not found in signature def");
        }

        using var result = await _predictor.PredictAsync(servable, request.SignatureName, request.Inputs, [], cancellationToken).ConfigureAwait(false);
        context.Response.ContentType = "application/json";
        using var output = new PooledBufferWriter(16 * 1024, int.MaxValue);
        PredictJsonWriter.Write(output, result.Outputs, request.RowFormat);
        await context.Response.Body.WriteAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext context, RestRoute route)
    {
        if (route.Model is null)
        {
            throw ServingException.InvalidArgument("Missing model name in request.");
        }

        string json;
        if (route.Verb == "metadata")
        {
            using var servable = _predictor.Acquire(route.Model, route.Version, route.Label);
            var spec = ModelStatusFactory.Spec(servable.ModelName, servable.Version);
            var signatures = SignatureDefFactory.CreateMap(servable.Model.Signature);
            json = $"{{\"model_spec\": {ProtoJson.Format(spec)}, \"metadata\": {{\"signature_def\": {ProtoJson.Format(signatures)}}}}}";
        }
        else
        {
            // A label is ignored for status, as in TF Serving: every version comes back.
            json = ProtoJson.Format(ModelStatusFactory.Create(_models.GetStatus(route.Model, route.Version)));
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }
}
