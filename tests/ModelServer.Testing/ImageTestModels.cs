using DataType = Onnx.TensorProto.Types.DataType;

namespace ModelServer.Testing;

/// <summary>Small image models for the image and classify tests, built as real ONNX graphs.</summary>
public static class ImageTestModels
{
    /// <summary>Side of <see cref="PixelPosition"/>'s input.</summary>
    public const int Size = 4;

    /// <summary>Class names of <see cref="PixelPosition"/>, in output order.</summary>
    public static readonly string[] PositionLabels = ["topleft", "topright", "bottom"];

    /// <summary>
    /// A classifier that reads pixel positions, so orientation matters: input <c>image</c> float
    /// <c>[batch, 4, 4, 3]</c> (NHWC, pixels scaled to [0, 1]); output <c>scores</c> <c>[batch, 3]</c> = softmax of
    /// the brightness of the top-left quadrant, the top-right quadrant and the bottom half (times 2).
    /// Metadata declares the preprocessing (and the labels unless <paramref name="withLabels"/> is false).
    /// <paramref name="size"/> other than 4 makes a model of any input size with near-zero compute (for load runs).
    /// </summary>
    public static byte[] PixelPosition(bool withLabels = true, string layout = "NHWC", int size = Size)
    {
        const int C = 3;
        var nchw = layout == "NCHW";
        var weights = new float[size * size * C * 3];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var cls = y >= size / 2 ? 2 : x < size / 2 ? 0 : 1;
                for (var c = 0; c < C; c++)
                {
                    var index = nchw ? (c * size * size) + (y * size) + x : (((y * size) + x) * C) + c;
                    weights[(index * 3) + cls] = cls == 2 ? 1f : 2f;
                }
            }
        }

        var builder = new OnnxGraphBuilder()
            .Input("image", DataType.Float, nchw ? [null, C, size, size] : [null, size, size, C])
            .Output("scores", DataType.Float, null, 3)
            .FloatConstant("w", weights, size * size * C, 3)
            .Node("Flatten", ["image"], ["flat"], OnnxGraphBuilder.IntAttribute("axis", 1))
            .Node("MatMul", ["flat", "w"], ["logits"])
            .Node("Softmax", ["logits"], ["scores"], OnnxGraphBuilder.IntAttribute("axis", -1))
            .Metadata("image_size", size.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Metadata("layout", layout)
            .Metadata("scale", (1.0 / 255.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        if (withLabels)
        {
            builder.Metadata("labels", string.Join(",", PositionLabels));
        }

        return builder.Build();
    }
}
