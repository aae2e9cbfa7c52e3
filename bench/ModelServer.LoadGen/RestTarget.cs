using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ModelServer.LoadGen;

/// <summary>TF Serving REST predict; the JSON body (columnar <c>inputs</c>) is written once and posted again and again.</summary>
internal sealed class RestTarget : ILoadTarget
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri _predict;
    private readonly Uri _metadata;
    private byte[] _body = [];

    public RestTarget(Uri target, string model, long? version, TimeSpan timeout, bool expectContinue)
    {
        // With Expect: 100-continue the body waits for the server's go-ahead (or 1 s, the handler's default); .NET
        // otherwise sends the whole body before it reads the reply, so even a 503 written at once arrives only after it.
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4096 }) { Timeout = timeout };
        _http.DefaultRequestHeaders.ExpectContinue = expectContinue ? true : null;
        var path = version is { } v ? $"v1/models/{model}/versions/{v.ToString(CultureInfo.InvariantCulture)}" : $"v1/models/{model}";
        _predict = new Uri(target, path + ":predict");
        _metadata = new Uri(target, path + "/metadata");
    }

    public string Name => "rest";

    public bool IsBlocking => false;

    public async Task<IReadOnlyList<(string Name, long[] Shape)>> SignatureAsync(CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await _http.GetByteArrayAsync(_metadata, cancellationToken));
        var inputs = document.RootElement.GetProperty("metadata").GetProperty("signature_def").GetProperty("signature_def").GetProperty("serving_default").GetProperty("inputs");
        var result = new List<(string, long[])>();
        foreach (var input in inputs.EnumerateObject())
        {
            var dims = input.Value.GetProperty("tensor_shape").GetProperty("dim").EnumerateArray()
                .Select(d => d.GetProperty("size") is { ValueKind: JsonValueKind.String } s ? long.Parse(s.GetString()!, CultureInfo.InvariantCulture) : d.GetProperty("size").GetInt64())
                .ToArray();
            result.Add((input.Name, dims));
        }

        return result;
    }

    public Task PrepareAsync(RequestInput input, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("inputs");
            foreach (var tensor in input.Tensors)
            {
                writer.WritePropertyName(tensor.Name);
                var offset = 0;
                WriteNested(writer, tensor.Values, tensor.Shape, 0, ref offset);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        _body = stream.ToArray();
        return Task.CompletedTask;
    }

    private static void WriteNested(Utf8JsonWriter writer, float[] values, long[] shape, int level, ref int offset)
    {
        if (level == shape.Length)
        {
            writer.WriteNumberValue(values[offset++]);
            return;
        }

        writer.WriteStartArray();
        for (var i = 0; i < shape[level]; i++)
        {
            WriteNested(writer, values, shape, level + 1, ref offset);
        }

        writer.WriteEndArray();
    }

    public async Task<string?> SendAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(_body);
            content.Headers.ContentType = Json;
            using var response = await _http.PostAsync(_predict, content, cancellationToken);
            await response.Content.CopyToAsync(Stream.Null, cancellationToken);
            return response.IsSuccessStatusCode ? null : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
        catch (HttpRequestException ex)
        {
            return "connection:" + ex.HttpRequestError + Cause(ex);
        }
    }

    /// <summary>The innermost socket error, or the inner exception's type: "Unknown" alone says nothing.</summary>
    private static string Cause(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Sockets.SocketException socket)
            {
                return ":" + socket.SocketErrorCode;
            }

            if (inner.InnerException is null)
            {
                return ":" + inner.GetType().Name;
            }
        }

        return string.Empty;
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
