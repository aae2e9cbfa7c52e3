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
