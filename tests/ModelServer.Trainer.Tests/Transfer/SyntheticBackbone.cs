using Google.Protobuf;
using ModelServer.Trainer.Export;
using Onnx;

namespace ModelServer.Trainer.Tests.Transfer;

/// <summary>
/// A small network laid out like ML.NET's CNTK ResNet-18 export, with seeded random weights: opset 8, input
/// "Input247" fixed at [1,3,224,224] (BGR minus means), no conv biases, BatchNormalization with the old
/// <c>spatial</c> attribute, CNTK's asymmetric pads, one residual block per stage (64 → 128 → 256 → 512, each
/// halving with a strided 3×3 conv and a strided 1×1 shortcut), and a fixed 7×7 AveragePool at the end.
/// </summary>
internal static class SyntheticBackbone
{
    public const string InputName = "Input247";

    public static ModelProto Create(int seed = 5)
    {
        var random = new Random(seed);
        var graph = new GraphProto { Name = "CNTKGraph" };
        var builder = new OnnxGraphBuilder(graph);
        graph.Input.Add(OnnxGraphBuilder.FloatTensor(InputName, 1, 3, 224, 224));
        int id = 0;
        string x = Conv(InputName, 3, 64, 7, 2, [3, 3, 2, 2]);
        x = Relu(Bn(x, 64));
        var pool = builder.Node("MaxPool", "pool1", [x], "pool1_out");
        pool.Attribute.Add(OnnxGraphBuilder.Ints("kernel_shape", 3, 3));
        pool.Attribute.Add(OnnxGraphBuilder.Ints("strides", 2, 2));
        pool.Attribute.Add(OnnxGraphBuilder.Ints("pads", 1, 1, 0, 0));
        x = "pool1_out";
        int width = 64;
        foreach (int next in new[] { 128, 256, 512 })
        {
            string main = Relu(Bn(Conv(x, width, next, 3, 2, [1, 1, 0, 0]), next));
            main = Bn(Conv(main, next, next, 3, 1, [1, 1, 1, 1]), next);
            string shortcut = Bn(Conv(x, width, next, 1, 2, [0, 0, 0, 0]), next);
            builder.Node("Add", $"add{++id}", [main, shortcut], $"add{id}_out");
            x = Relu($"add{id}_out");
            width = next;
        }

        var average = builder.Node("AveragePool", "final_pool", [x], "final_pool_out");
        average.Attribute.Add(OnnxGraphBuilder.Ints("kernel_shape", 7, 7));
        average.Attribute.Add(OnnxGraphBuilder.Ints("strides", 1, 1));
        graph.Output.Add(OnnxGraphBuilder.FloatTensor("final_pool_out", 1, 512, 1, 1));
        var model = new ModelProto { IrVersion = 3, ProducerName = "CNTK", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 8 });
        return model;

        string Conv(string input, int from, int to, int kernel, int stride, long[] pads)
        {
            float scale = MathF.Sqrt(2f / (from * kernel * kernel));
            var weights = new float[to * from * kernel * kernel];
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = (float)(((random.NextDouble() * 2) - 1) * scale * 1.7);
            }

            string name = $"conv{++id}";
            var node = builder.Node("Conv", name, [input, builder.Initializer($"{name}_w", weights, to, from, kernel, kernel)], name + "_out");
            node.Attribute.Add(OnnxGraphBuilder.Ints("kernel_shape", kernel, kernel));
            node.Attribute.Add(OnnxGraphBuilder.Ints("strides", stride, stride));
            node.Attribute.Add(OnnxGraphBuilder.Ints("pads", pads));
            return name + "_out";
        }

        string Bn(string input, int channels)
        {
            string name = $"bn{++id}";
            float[] Fill(Func<float> value) => [.. Enumerable.Range(0, channels).Select(_ => value())];
            var node = builder.Node("BatchNormalization", name, [input,
                builder.Initializer($"{name}_scale", Fill(() => 0.5f + (float)random.NextDouble()), channels),
                builder.Initializer($"{name}_bias", Fill(() => (float)(random.NextDouble() - 0.5) * 0.2f), channels),
                builder.Initializer($"{name}_mean", Fill(() => (float)(random.NextDouble() - 0.5)), channels),
                builder.Initializer($"{name}_var", Fill(() => 0.5f + (float)random.NextDouble()), channels)], name + "_out");
            node.Attribute.Add(OnnxGraphBuilder.Int("spatial", 1));
            node.Attribute.Add(OnnxGraphBuilder.Float("epsilon", 1e-5f));
            return name + "_out";
        }

        string Relu(string input)
        {
            string name = $"relu{++id}";
            builder.Node("Relu", name, [input], name + "_out");
            return name + "_out";
        }
    }

    public static string Save(ModelProto model, string directory)
    {
        string path = Path.Combine(directory, "backbone.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
