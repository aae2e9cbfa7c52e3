using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ModelServer.Trainer.Export;

namespace ModelServer.Trainer.Transfer.TfLite;

/// <summary>
/// Appends the operators of a TensorFlow Lite image network to an ONNX graph (opset 13), in NCHW: convolution
/// weights are transposed from TFLite's <c>[out, h, w, in]</c> (depthwise: <c>[1, h, w, channels]</c>) to ONNX's
/// <c>[out, in, h, w]</c>, float16 constants behind DEQUANTIZE become float32 initializers, fused activations become
/// Relu or Clip, and SAME padding becomes <c>auto_pad=SAME_UPPER</c> (TensorFlow puts the odd pixel at the end, as
/// SAME_UPPER does), so any input size works. Only the operators a requested tensor depends on are converted.
/// Supported: CONV_2D, DEPTHWISE_CONV_2D, ADD, MEAN, FULLY_CONNECTED, LOGISTIC, DEQUANTIZE (of constants).
/// </summary>
public static class TfLiteOnnxConverter
{
    public const int Opset = 13;

    /// <summary>
    /// Converts what <paramref name="wanted"/> needs. <paramref name="nchwInput"/> is the ONNX name of the model
    /// input, already transposed to NCHW. Node names start with <paramref name="prefix"/>, weight names with
    /// <paramref name="weightPrefix"/> (default: the same): a second copy of the network in one graph (run on a
    /// different input) shares the first copy's weights when given the same weight prefix.
    /// Returns the ONNX name of every converted TFLite tensor (4-D ones in NCHW).
    /// </summary>
    /// <exception cref="InvalidDataException">An operator or tensor type the converter does not support.</exception>
    internal static Dictionary<int, string> Append(TfLiteModel model, OnnxGraphBuilder builder, string nchwInput, IEnumerable<int> wanted, string prefix, string? weightPrefix = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(wanted);
        weightPrefix ??= prefix;
        var existing = builder.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        if (model.Inputs.Count != 1)
        {
            throw new InvalidDataException($"Expected one image input, found {model.Inputs.Count}.");
        }

        var names = new Dictionary<int, string> { [model.Inputs[0]] = nchwInput };
        var constants = new Dictionary<int, float[]>();
        var needed = Needed(model, wanted);
        for (int i = 0; i < model.Operators.Count; i++)
        {
            if (!needed.Contains(i))
            {
                continue;
            }

            var op = model.Operators[i];
            int output = op.Outputs[0];
            string name = $"{prefix}{i}";
            string weights = $"{weightPrefix}{i}";
            switch (op.Code)
            {
                case TfLiteBuiltin.Dequantize:
                    constants[output] = Constant(model, op.Inputs[0], constants);
                    break;
                case TfLiteBuiltin.Conv2D:
                case TfLiteBuiltin.DepthwiseConv2D:
                    names[output] = Activation(Convolution(model, op, name, weights), op.Code == TfLiteBuiltin.Conv2D ? op.OptionByte(3) : op.OptionByte(4), name);
                    break;
                case TfLiteBuiltin.Add:
                    builder.Node("Add", name, [Input(op.Inputs[0]), Input(op.Inputs[1])], name + "_sum");
                    names[output] = Activation(name + "_sum", op.OptionByte(0), name);
                    break;
                case TfLiteBuiltin.Mean:
                    names[output] = Mean(model, op, name);
                    break;
                case TfLiteBuiltin.FullyConnected:
                    names[output] = Activation(Dense(model, op, name, weights), op.OptionByte(0), name);
                    break;
                case TfLiteBuiltin.Logistic:
                    builder.Node("Sigmoid", name, [Input(op.Inputs[0])], name + "_sigmoid");
                    names[output] = name + "_sigmoid";
                    break;
                default:
                    throw new InvalidDataException($"TFLite operator {i} has builtin code {op.Code}, which the converter does not support.");
            }
        }

        return names;

        string Input(int tensor) => names.TryGetValue(tensor, out string? onnx)
            ? onnx
            : throw new InvalidDataException($"Tensor '{model.Tensors[tensor].Name}' is read before it is computed.");

        string Convolution(TfLiteModel m, TfLiteOperator op, string name, string weightName)
        {
            bool depthwise = op.Code == TfLiteBuiltin.DepthwiseConv2D;
            int[] shape = m.Tensors[op.Inputs[1]].Shape; // [out, h, w, in]; depthwise [1, h, w, channels × multiplier]
            if (shape.Length != 4)
            {
                throw new InvalidDataException($"Filter '{m.Tensors[op.Inputs[1]].Name}' is not 4-D.");
            }

            int outChannels = depthwise ? shape[3] : shape[0], height = shape[1], width = shape[2], inPerGroup = depthwise ? 1 : shape[3];
            var inputs = new List<string> { Input(op.Inputs[0]), Weight(weightName + "_w", Transposed, outChannels, inPerGroup, height, width) };
            if (op.Inputs.Length > 2 && op.Inputs[2] >= 0)
            {
                inputs.Add(Weight(weightName + "_b", () => Constant(m, op.Inputs[2], constants), outChannels));
            }

            var node = builder.Node("Conv", name, inputs, name + "_conv");
            // Conv2DOptions: padding 0, stride_w 1, stride_h 2, activation 3, dilation_w 4, dilation_h 5.
            // DepthwiseConv2DOptions: padding 0, stride_w 1, stride_h 2, depth_multiplier 3, activation 4, dilation_w 5, dilation_h 6.
            int dilationField = depthwise ? 5 : 4;
            node.Attribute.Add(OnnxGraphBuilder.Ints("kernel_shape", height, width));
            node.Attribute.Add(OnnxGraphBuilder.Ints("strides", op.OptionInt(2, 1), op.OptionInt(1, 1)));
            node.Attribute.Add(OnnxGraphBuilder.Ints("dilations", op.OptionInt(dilationField + 1, 1), op.OptionInt(dilationField, 1)));
            node.Attribute.Add(OnnxGraphBuilder.String("auto_pad", op.OptionByte(0) == TfLiteBuiltin.PaddingValid ? "VALID" : "SAME_UPPER"));
            if (depthwise)
            {
                int inChannels = m.Tensors[op.Inputs[0]].Shape[^1];
                if (outChannels % inChannels != 0)
                {
                    throw new InvalidDataException($"Depthwise filter '{m.Tensors[op.Inputs[1]].Name}' has {outChannels} channels for {inChannels} inputs.");
                }

                node.Attribute.Add(OnnxGraphBuilder.Int("group", inChannels));
            }

            return name + "_conv";

            float[] Transposed()
            {
                float[] filter = Constant(m, op.Inputs[1], constants);
                var transposed = new float[filter.Length];
                for (int o = 0; o < outChannels; o++)
                {
                    for (int c = 0; c < inPerGroup; c++)
                    {
                        for (int y = 0; y < height; y++)
                        {
                            for (int x = 0; x < width; x++)
                            {
                                int source = depthwise
                                    ? (((y * width) + x) * outChannels) + o
                                    : (((((o * height) + y) * width) + x) * inPerGroup) + c;
                                transposed[(((((o * inPerGroup) + c) * height) + y) * width) + x] = filter[source];
                            }
                        }
                    }
                }

                return transposed;
            }
        }

        /// <summary>A weight initializer, added once: a second copy of the network reuses the first's.</summary>
        string Weight(string weightName, Func<float[]> values, params long[] dims) =>
            existing.Add(weightName) ? builder.Initializer(weightName, values(), dims) : weightName;

        string Mean(TfLiteModel m, TfLiteOperator op, string name)
        {
            int rank = m.Tensors[op.Inputs[0]].Shape.Length;
            var axes = Int32Constant(m, op.Inputs[1]).Select(a => (long)(a < 0 ? a + rank : a)).ToArray();
            if (rank != 4 || axes.Any(a => a is < 1 or > 3))
            {
                throw new InvalidDataException($"MEAN over axes [{string.Join(',', axes)}] of a rank-{rank} tensor is not supported.");
            }

            // NHWC axis → NCHW axis: H 1→2, W 2→3, C 3→1.
            var node = builder.Node("ReduceMean", name, [Input(op.Inputs[0])], name + "_mean");
            node.Attribute.Add(OnnxGraphBuilder.Ints("axes", [.. axes.Select(a => a == 3 ? 1L : a + 1).Order()]));
            node.Attribute.Add(OnnxGraphBuilder.Int("keepdims", op.OptionByte(0))); // ReducerOptions.keep_dims
            return name + "_mean";
        }

        string Dense(TfLiteModel m, TfLiteOperator op, string name, string weightName)
        {
            int[] shape = m.Tensors[op.Inputs[1]].Shape; // [out, in]
            var inputs = new List<string> { Input(op.Inputs[0]), Weight(weightName + "_w", () => Constant(m, op.Inputs[1], constants), shape[0], shape[1]) };
            inputs.Add(op.Inputs.Length > 2 && op.Inputs[2] >= 0
                ? Weight(weightName + "_b", () => Constant(m, op.Inputs[2], constants), shape[0])
                : Weight(weightName + "_b", () => new float[shape[0]], shape[0]));
            builder.Node("Gemm", name, inputs, name + "_dense").Attribute.Add(OnnxGraphBuilder.Int("transB", 1));
            return name + "_dense";
        }

        string Activation(string value, int activation, string name)
        {
            switch (activation)
            {
                case TfLiteBuiltin.ActivationNone:
                    return value;
                case TfLiteBuiltin.ActivationRelu:
                    builder.Node("Relu", name + "_relu", [value], name + "_relu");
                    return name + "_relu";
                case TfLiteBuiltin.ActivationRelu6:
                    return Clip(value, name + "_relu6", 0, 6);
                case TfLiteBuiltin.ActivationReluN1To1:
                    return Clip(value, name + "_relu1", -1, 1);
                default:
                    throw new InvalidDataException($"Fused activation {activation} is not supported.");
            }
        }

        // The bounds are scalar initializers, added once per weight prefix and shared by every Clip.
        string Clip(string value, string output, int min, int max)
        {
            string lower = Weight(FormattableString.Invariant($"{weightPrefix}clip_{min}"), () => [min]);
            string upper = Weight(FormattableString.Invariant($"{weightPrefix}clip_{max}"), () => [max]);
            builder.Node("Clip", output, [value, lower, upper], output);
            return output;
        }
    }

    /// <summary>The operators the wanted tensors depend on, found by walking back from them.</summary>
    private static HashSet<int> Needed(TfLiteModel model, IEnumerable<int> wanted)
    {
        var producer = new Dictionary<int, int>();
        for (int i = 0; i < model.Operators.Count; i++)
        {
            foreach (int output in model.Operators[i].Outputs)
            {
                producer[output] = i;
            }
        }

        var needed = new HashSet<int>();
        var pending = new Stack<int>(wanted);
        while (pending.TryPop(out int tensor))
        {
            if (producer.TryGetValue(tensor, out int op) && needed.Add(op))
            {
                foreach (int input in model.Operators[op].Inputs.Where(t => t >= 0))
                {
                    pending.Push(input);
                }
            }
        }

        return needed;
    }

    /// <summary>A float constant: float32 or float16 data in the file, or the output of an earlier DEQUANTIZE.</summary>
    private static float[] Constant(TfLiteModel model, int tensor, Dictionary<int, float[]> dequantized)
    {
        if (dequantized.TryGetValue(tensor, out float[]? values))
        {
            return values;
        }

        var info = model.Tensors[tensor];
        var data = model.Data(tensor);
        long count = info.Shape.Aggregate(1L, (a, b) => a * b);
        switch (info.Type)
        {
            case TfLiteTensor.Float32 when data.Length == count * 4:
                return MemoryMarshal.Cast<byte, float>(data).ToArray();
            case TfLiteTensor.Float16 when data.Length == count * 2:
                var result = new float[count];
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(data.Slice(2 * i, 2));
                }

                return result;
            default:
                throw new InvalidDataException(
                    $"Tensor '{info.Name}' (type {info.Type}, {data.Length} bytes for shape [{string.Join(',', info.Shape)}]) is not a float32 or float16 constant.");
        }
    }

    private static int[] Int32Constant(TfLiteModel model, int tensor)
    {
        var info = model.Tensors[tensor];
        var data = model.Data(tensor);
        return info.Type == TfLiteTensor.Int32 && data.Length % 4 == 0
            ? MemoryMarshal.Cast<byte, int>(data).ToArray()
            : throw new InvalidDataException($"Tensor '{info.Name}' is not an int32 constant.");
    }
}
