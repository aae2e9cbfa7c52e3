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
