using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using ModelServer.Host.Rest.Json;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Benchmarks.Rest;

/// <summary>
/// REST predict decoding of a 150×150×3 float image per instance (what a Keras client sends the RPS model):
/// bytes of JSON per second through <see cref="PredictJsonReader"/>, straight into the pooled input buffer.
/// </summary>
[MemoryDiagnoser]
public class JsonDecodeBenchmarks
{
    private ModelSignature _signature = null!;
    private byte[] _body = [];

    [Params(1, 8)]
    public int Instances { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _signature = new ModelSignature(
            ModelSignature.DefaultName,
            ModelSignature.PredictMethod,
            [new TensorSpec("input", TensorDataType.Float, [-1, 150, 150, 3])],
            [new TensorSpec("probabilities", TensorDataType.Float, [-1, 3])]);
        var random = new Random(42);
        var json = new StringBuilder("{\"instances\": [");
        for (var n = 0; n < Instances; n++)
        {
            json.Append(n == 0 ? "[" : ",[");
            for (var y = 0; y < 150; y++)
            {
                json.Append(y == 0 ? "[" : ",[");
                for (var x = 0; x < 150; x++)
                {
                    json.Append(x == 0 ? "[" : ",[");
                    for (var c = 0; c < 3; c++)
                    {
                        // Pixel values scaled to [0,1] as clients send them: 8-10 characters each.
                        json.Append(c == 0 ? string.Empty : ",").Append((random.Next(256) / 255f).ToString("R", CultureInfo.InvariantCulture));
                    }

                    json.Append(']');
                }

                json.Append(']');
            }

            json.Append(']');
        }

        _body = Encoding.UTF8.GetBytes(json.Append("]}").ToString());
        Console.WriteLine($"// Body: {_body.Length} bytes for {Instances} instance(s)");
    }

    /// <summary>Body size, for MB/s = BodyBytes / mean time.</summary>
    public int BodyBytes => _body.Length;

    /// <summary>What the server does: the fast path for a float image (<see cref="FloatTensorFastPath"/>).</summary>
    [Benchmark(Baseline = true)]
    public long Decode()
    {
        using var request = PredictJsonReader.Parse(_body, _signature, long.MaxValue);
        return request.Inputs["input"].ElementCount;
    }

    /// <summary>The general parser alone (Utf8JsonReader's tokens, TF Serving's rules), as every body took before the fast path.</summary>
    [Benchmark]
    public long DecodeGeneral()
    {
        using var request = PredictJsonReader.ParseGeneral(_body, _signature, long.MaxValue);
        return request.Inputs["input"].ElementCount;
    }

    /// <summary>Utf8JsonReader reading every token and nothing else: the floor under the general parser.</summary>
    [Benchmark]
    public long TokensOnly()
    {
        var reader = new System.Text.Json.Utf8JsonReader(_body);
        long n = 0;
        while (reader.Read())
        {
            n++;
        }

        return n;
    }
}
