using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace ModelServer.Testing;

/// <summary>The small models the tests serve, built as real ONNX graphs.</summary>
public static class TestModels
{
    /// <summary>TF Serving's half_plus_two: <c>y = 0.5 x + 2</c>, x and y float <c>[batch]</c>.</summary>
    public static byte[] HalfPlusTwo(float scale = 0.5f, float offset = 2f) => new OnnxGraphBuilder()
        .Input("x", DataType.Float, [null])
        .Output("y", DataType.Float, [null])
        .FloatConstant("scale", [scale], 1)
        .FloatConstant("offset", [offset], 1)
        .Node("Mul", ["x", "scale"], ["scaled"])
        .Node("Add", ["scaled", "offset"], ["y"])
        .Build();

    /// <summary>Two float inputs <c>a</c>, <c>b</c> <c>[batch, 2]</c>; outputs <c>sum = a + b</c> and <c>product = a * b</c>.</summary>
    public static byte[] TwoInputs() => new OnnxGraphBuilder()
        .Input("a", DataType.Float, null, 2)
        .Input("b", DataType.Float, null, 2)
        .Output("sum", DataType.Float, null, 2)
        .Output("product", DataType.Float, null, 2)
        .Node("Add", ["a", "b"], ["sum"])
        .Node("Mul", ["a", "b"], ["product"])
        .Build();

    /// <summary>Identity of one input of <paramref name="type"/> with shape <c>[batch, -1]</c> (output <paramref name="outputName"/>).</summary>
    public static byte[] Identity(DataType type, string inputName = "in", string outputName = "out") => new OnnxGraphBuilder()
        .Input(inputName, type, null, null)
        .Output(outputName, type, null, null)
        .Node("Identity", [inputName], [outputName])
        .Build();

    /// <summary>
    /// A model whose output names its version: <c>y = 0.5 x + version</c> (HalfPlusTwo with the version as offset), so a
    /// test can tell which version answered from the output alone.
    /// </summary>
    public static byte[] Versioned(long version) => HalfPlusTwo(0.5f, version);

    /// <summary>
    /// <c>y = x + c</c> with a constant <c>c</c> of 3 elements: batch 1 broadcasts and runs, batch 2 fails at run time,
    /// so warmup with batch size 2 fails while loading succeeds.
    /// </summary>
    public static byte[] OnlyBatchOne() => new OnnxGraphBuilder()
        .Input("x", DataType.Float, [null])
        .Output("y", DataType.Float, [3])
        .FloatConstant("c", [1f, 2f, 3f], 3)
        .Node("Add", ["x", "c"], ["y"])
        .Build();

    /// <summary><c>y = x + w</c> over <paramref name="elements"/> floats of weights, to give a session a measurable memory footprint.</summary>
    public static byte[] Weighted(int elements)
    {
        var weights = new float[elements];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = i % 7;
        }

        return new OnnxGraphBuilder()
            .Input("x", DataType.Float, [elements])
            .Output("y", DataType.Float, [elements])
            .FloatConstant("w", weights, elements)
            .Node("Add", ["x", "w"], ["y"])
            .Build();
    }

    /// <summary>
    /// Publishes a version the way the trainer does: written into a temporary sibling folder (ignored, not numeric),
    /// then renamed into place, so a watcher never sees it half-written.
    /// </summary>
    public static string PublishAtomically(string root, string name, long version, byte[] model)
    {
        var versionName = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var staging = Path.Combine(root, name, $".staging-{versionName}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        File.WriteAllBytes(Path.Combine(staging, "model.onnx"), model);
        var folder = Path.Combine(root, name, versionName);
        Directory.Move(staging, folder);
        return Path.Combine(folder, "model.onnx");
    }

    /// <summary>A dense layer <c>y = x·W + b</c>: x float <c>[batch, 4]</c>, y float <c>[batch, 3]</c>, fixed weights.</summary>
    public static byte[] Dense() => new OnnxGraphBuilder()
        .Input("x", DataType.Float, null, 4)
        .Output("y", DataType.Float, null, 3)
        .FloatConstant("w", [0.5f, -1.25f, 2f, 0.1f, 0.3f, -0.7f, 1.5f, 0.25f, -0.125f, -2f, 0.9f, 0.33f], 4, 3)
        .FloatConstant("b", [0.01f, -0.02f, 0.03f], 3)
        .Node("MatMul", ["x", "w"], ["xw"])
        .Node("Add", ["xw", "b"], ["y"])
        .Build();

    /// <summary>A lookup <c>y = table[index]</c> over a 4-entry float table: index int64 <c>[batch]</c>; an index out of range fails the run.</summary>
    public static byte[] Lookup() => new OnnxGraphBuilder()
        .Input("index", DataType.Int64, [null])
        .Output("y", DataType.Float, [null])
        .FloatConstant("table", [10f, 20f, 30f, 40f], 4)
        .Node("Gather", ["table", "index"], ["y"])
        .Build();

    /// <summary><c>y = x + 1</c> on a fixed <c>[2, 2]</c> float input: dimension 0 is not a batch dimension.</summary>
    public static byte[] FixedShape() => new OnnxGraphBuilder()
        .Input("x", DataType.Float, 2, 2)
        .Output("y", DataType.Float, 2, 2)
        .FloatConstant("one", [1f], 1)
        .Node("Add", ["x", "one"], ["y"])
        .Build();

    /// <summary>
    /// A CNN of the classic rock-paper-scissors network's shape and cost (3.47 M parameters): input
    /// <c>[batch, 150, 150, 3]</c> float (NHWC), four 3×3 convolutions (64, 64, 128, 128) each with ReLU and 2×2
    /// max-pooling, dense 512 with ReLU, dense 3 with softmax (output <c>probabilities</c> <c>[batch, 3]</c>).
    /// Weights are pseudo-random from <paramref name="seed"/>, so it measures cost, not accuracy.
    /// </summary>
    public static byte[] SyntheticRpsCnn(int seed = 42)
    {
        var random = new Random(seed);
        float[] Weights(int count, int fanIn)
        {
            var scale = MathF.Sqrt(2f / fanIn);
            var values = new float[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = ((float)random.NextDouble() - 0.5f) * 2f * scale;
            }

            return values;
        }

        var builder = new OnnxGraphBuilder()
            .Input("images", DataType.Float, null, 150, 150, 3)
            .Output("probabilities", DataType.Float, null, 3)
            .Node("Transpose", ["images"], ["nchw"], Ints("perm", 0, 3, 1, 2));
        var input = "nchw";
        var channels = 3;
        int[] filters = [64, 64, 128, 128];
        for (var layer = 0; layer < filters.Length; layer++)
        {
            var w = $"conv{layer}_w";
            var b = $"conv{layer}_b";
            builder.FloatConstant(w, Weights(filters[layer] * channels * 9, channels * 9), filters[layer], channels, 3, 3)
                .FloatConstant(b, new float[filters[layer]], filters[layer])
                .Node("Conv", [input, w, b], [$"conv{layer}"], Ints("kernel_shape", 3, 3))
                .Node("Relu", [$"conv{layer}"], [$"relu{layer}"])
                .Node("MaxPool", [$"relu{layer}"], [$"pool{layer}"], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2));
            input = $"pool{layer}";
            channels = filters[layer];
        }

        const int Flat = 128 * 7 * 7;
        return builder
            .Node("Flatten", [input], ["flat"], OnnxGraphBuilder.IntAttribute("axis", 1))
            .FloatConstant("dense_w", Weights(Flat * 512, Flat), Flat, 512)
            .FloatConstant("dense_b", new float[512], 512)
            .Node("MatMul", ["flat", "dense_w"], ["dense_mm"])
            .Node("Add", ["dense_mm", "dense_b"], ["dense"])
            .Node("Relu", ["dense"], ["dense_relu"])
            .FloatConstant("out_w", Weights(512 * 3, 512), 512, 3)
            .FloatConstant("out_b", new float[3], 3)
            .Node("MatMul", ["dense_relu", "out_w"], ["logits_mm"])
            .Node("Add", ["logits_mm", "out_b"], ["logits"])
            .Node("Softmax", ["logits"], ["probabilities"], OnnxGraphBuilder.IntAttribute("axis", 1))
            .Build();
    }

    /// <summary>
    /// The rps model's input and output (<c>images</c> <c>[batch, 150, 150, 3]</c> float in, <c>probabilities</c>
    /// <c>[batch, 3]</c> out) around almost no compute: the mean of each colour channel, then softmax. Served on one
    /// core, its throughput measures what the transport and the batcher cost per request, apart from the model.
    /// </summary>
    public static byte[] TransportProbe() => new OnnxGraphBuilder()
        .Input("images", DataType.Float, null, 150, 150, 3)
        .Output("probabilities", DataType.Float, null, 3)
        .Node("ReduceMean", ["images"], ["means"], Ints("axes", 1, 2), OnnxGraphBuilder.IntAttribute("keepdims", 0))
        .Node("Softmax", ["means"], ["probabilities"], OnnxGraphBuilder.IntAttribute("axis", 1))
        .Build();

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>Writes <paramref name="model"/> as <c>{root}/{name}/{version}/model.onnx</c>.</summary>
    public static string Publish(string root, string name, long version, byte[] model)
    {
        var folder = Path.Combine(root, name, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(file, model);
        return file;
    }
}
