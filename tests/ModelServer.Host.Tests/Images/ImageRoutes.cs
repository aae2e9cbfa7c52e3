using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Images;

/// <summary>Sends one image through each route that accepts images and returns the class scores it got back.</summary>
internal sealed class ImageRoutes
{
    private readonly HttpClient _http;
    private readonly GrpcChannel _grpc;

    public ImageRoutes(ImageHost host)
        : this(host.Http, host.Grpc)
    {
    }

    public ImageRoutes(HttpClient http, GrpcChannel grpc)
    {
        _http = http;
        _grpc = grpc;
    }

    public async Task<float[]> RestPredictRowAsync(string model, byte[] image)
    {
        var json = await PostJsonAsync($"/v1/models/{model}:predict", $$"""{"instances": [{"b64": "{{Convert.ToBase64String(image)}}"}]}""");
        return Floats(json.RootElement.GetProperty("predictions")[0]);
    }

    public async Task<float[]> RestPredictColumnarAsync(string model, byte[] image)
    {
        var json = await PostJsonAsync($"/v1/models/{model}:predict", $$$"""{"inputs": {"image": [{"b64": "{{{Convert.ToBase64String(image)}}}"}]}}""");
        return Floats(json.RootElement.GetProperty("outputs")[0]);
    }

    public async Task<float[]> GrpcPredictAsync(string model, byte[] image, string input = "image", string output = "scores")
    {
        var client = new PredictionService.PredictionServiceClient(_grpc);
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = model } };
        request.Inputs.Add(input, StringTensor(image));
        request.OutputFilter.Add(output);
        var response = await client.PredictAsync(request);
        return [.. response.Outputs[output].FloatVal];
    }

    public async Task<(string Label, Dictionary<string, float> Scores)> UploadAsync(string model, byte[] image, string contentType, string query = "")
    {
        using var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var json = await PostAsync($"/v1/models/{model}:classify{query}", content);
        var prediction = json.RootElement.GetProperty("predictions")[0];
        return (prediction.GetProperty("label").GetString()!, Scores(prediction));
    }

    public async Task<JsonDocument> UploadMultipartAsync(string model, params byte[][] images)
    {
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < images.Length; i++)
        {
            var part = new ByteArrayContent(images[i]);
            part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(part, "file", $"photo{i}.png");
        }

        return await PostAsync($"/v1/models/{model}:classify", form);
    }

    public async Task<JsonDocument> RestClassifyAsync(string model, string feature, params byte[][] images)
    {
        var examples = string.Join(",", images.Select(i => $$$"""{"{{{feature}}}": {"b64": "{{{Convert.ToBase64String(i)}}}"}}"""));
        return await PostJsonAsync($"/v1/models/{model}:classify", $$"""{"examples": [{{examples}}]}""");
    }

    public async Task<ClassificationResponse> GrpcClassifyAsync(string model, string feature, params byte[][] images)
    {
        var client = new PredictionService.PredictionServiceClient(_grpc);
        var list = new ExampleList();
        foreach (var image in images)
        {
            var example = new Example { Features = new Features() };
            var bytes = new BytesList();
            bytes.Value.Add(ByteString.CopyFrom(image));
            example.Features.Feature.Add(feature, new Feature { BytesList = bytes });
            list.Examples.Add(example);
        }

        return await client.ClassifyAsync(new ClassificationRequest { ModelSpec = new ModelSpec { Name = model }, Input = new Input { ExampleList = list } });
    }

    public static TensorProto StringTensor(params byte[][] images)
    {
        var tensor = new TensorProto { Dtype = DataType.DtString, TensorShape = new TensorShapeProto() };
        tensor.TensorShape.Dim.Add(new TensorShapeProto.Types.Dim { Size = images.Length });
        foreach (var image in images)
        {
            tensor.StringVal.Add(ByteString.CopyFrom(image));
        }

        return tensor;
    }

    public async Task<HttpResponseMessage> SendAsync(string path, HttpContent content)
        => await _http.PostAsync(new Uri(path, UriKind.Relative), content);

    public static Dictionary<string, float> Scores(JsonElement prediction)
        => prediction.GetProperty("scores").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetSingle());

    public static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetSingle())];

    public async Task<JsonDocument> PostJsonAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await PostAsync(path, content);
    }

    private async Task<JsonDocument> PostAsync(string path, HttpContent content)
    {
        using var response = await SendAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }
}
