using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using ModelServer.Host.Grpc;
using ModelServer.Testing;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.Benchmarks.Grpc;

/// <summary>
/// gRPC Predict's request parse for one 150×150×3 float image in <c>tensor_content</c> (270 KB), from a body split
/// into the 4 KB buffers Kestrel's transport reads into: Google.Protobuf's parser (a new array per request, on the
/// large object heap) against <see cref="PredictRequestReader"/> (an array rented from the shared pool and given back).
/// </summary>
[MemoryDiagnoser]
public class PredictRequestParseBenchmarks
{
    private ReadOnlySequence<byte> _body;

    [GlobalSetup]
    public void Setup()
    {
        var content = new byte[150 * 150 * 3 * sizeof(float)];
        new Random(42).NextBytes(content);
        var tensor = new TensorProto { Dtype = DataType.DtFloat, TensorContent = ByteString.CopyFrom(content), TensorShape = new TensorShapeProto() };
        foreach (var size in new long[] { 1, 150, 150, 3 })
        {
            tensor.TensorShape.Dim.Add(new TensorShapeProto.Types.Dim { Size = size });
        }

        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "rps" } };
        request.Inputs.Add("images", tensor);
        _body = SegmentedSequence.Split(request.ToByteArray(), 4096);
    }

    [Benchmark(Baseline = true)]
    public int GoogleProtobuf() => PredictRequest.Parser.ParseFrom(_body).Inputs.Count;

    [Benchmark]
    public int Pooled()
    {
        using var pooled = PredictRequestReader.Read(_body);
        return pooled.Request.Inputs.Count;
    }
}
