using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.LoadGen;

/// <summary>Predict over gRPC; the request is built once (inputs as <c>tensor_content</c>) and sent again and again.</summary>
internal sealed class GrpcTarget : ILoadTarget
{
    private readonly GrpcChannel _channel;
    private readonly PredictionService.PredictionServiceClient _client;
    private readonly ModelSpec _spec;
    private readonly TimeSpan _timeout;
    private PredictRequest? _request;

    public GrpcTarget(Uri target, string model, long? version, TimeSpan timeout)
    {
        _channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
        _client = new PredictionService.PredictionServiceClient(_channel);
        _spec = new ModelSpec { Name = model };
        if (version is { } v)
        {
            _spec.Version = v;
        }

        _timeout = timeout;
    }

    public string Name => "grpc";

    public bool IsBlocking => false;

    /// <summary>The inputs of the model's <c>serving_default</c> signature (name, shape with -1 for unknown).</summary>
    public async Task<IReadOnlyList<(string Name, long[] Shape)>> SignatureAsync(CancellationToken cancellationToken)
    {
        var request = new GetModelMetadataRequest { ModelSpec = _spec };
        request.MetadataField.Add("signature_def");
        var response = await _client.GetModelMetadataAsync(request, cancellationToken: cancellationToken);
        var map = response.Metadata["signature_def"].Unpack<SignatureDefMap>();
        return map.SignatureDef["serving_default"].Inputs
            .Select(kv => (kv.Key, kv.Value.TensorShape.Dim.Select(d => d.Size).ToArray()))
            .ToArray();
    }

    public Task PrepareAsync(RequestInput input, CancellationToken cancellationToken)
    {
        var request = new PredictRequest { ModelSpec = _spec };
        foreach (var tensor in input.Tensors)
        {
            var proto = new TensorProto
            {
                Dtype = DataType.DtFloat,
                TensorShape = new TensorShapeProto(),
                TensorContent = ByteString.CopyFrom(MemoryMarshal.AsBytes(tensor.Values.AsSpan())),
            };
            proto.TensorShape.Dim.AddRange(tensor.Shape.Select(d => new TensorShapeProto.Types.Dim { Size = d }));
            request.Inputs.Add(tensor.Name, proto);
        }

        _request = request;
        return Task.CompletedTask;
    }

    public async Task<string?> SendAsync(CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _client.PredictAsync(_request!, deadline: DateTime.UtcNow + _timeout, cancellationToken: cancellationToken);
            return reply.Outputs.Count > 0 ? null : "EmptyReply";
        }
        catch (RpcException ex)
        {
            return ex.StatusCode.ToString();
        }
    }

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }
}
