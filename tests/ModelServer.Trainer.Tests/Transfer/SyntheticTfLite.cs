using System.Runtime.InteropServices;
using Google.FlatBuffers;

namespace ModelServer.Trainer.Tests.Transfer;

/// <summary>
/// Writes a small TensorFlow Lite model with Google.FlatBuffers' builder, field by field as schema.fbs numbers them,
/// shaped like MediaPipe's hand landmark network: DEQUANTIZE of a float16 filter → CONV_2D (3×3, stride 2, SAME,
/// ReLU6) → DEPTHWISE_CONV_2D (3×3, SAME, ReLU6) → ADD (residual) → CONV_2D (1×1, ReLU6) → MEAN over H and W →
/// FULLY_CONNECTED → LOGISTIC.
/// Its weights are seeded random numbers; <see cref="Reference"/> computes the same network directly in NHWC, with
/// TensorFlow's SAME padding, so the converter is checked against TFLite's semantics, not against itself.
/// </summary>
internal static class SyntheticTfLite
{
    public const int Channels = 4;
    public const int Outputs = 2;

    public sealed record Weights(float[] ConvFilter, float[] ConvBias, float[] DepthFilter, float[] DepthBias, float[] DenseWeight, float[] DenseBias, float[] FinalFilter, float[] FinalBias);

    public static Weights CreateWeights(int seed = 5)
    {
        var random = new Random(seed);
        float[] Draw(int count, double scale) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() - 0.5) * scale))];
        // The conv filter goes through float16 in the file: round it here so the reference uses what is stored.
        float[] convFilter = [.. Draw(Channels * 3 * 3 * 3, 1.5).Select(v => (float)(Half)v)];
        return new Weights(convFilter, Draw(Channels, 0.5), Draw(3 * 3 * Channels, 1.5), Draw(Channels, 0.5), Draw(Outputs * Channels, 2), Draw(Outputs, 0.5),
            Draw(Channels * Channels, 1.5), Draw(Channels, 0.5));
    }

    /// <param name="unsupportedOperator">Replaces LOGISTIC's code with this one (a converter must refuse it).</param>
    /// <param name="landmarks">
    /// Adds MediaPipe's screen landmark output ("Identity", 63 values: x y z of 21 points, in input pixels) as a
    /// FULLY_CONNECTED layer on the pooled features with zero weights and these values as its bias: every image
    /// gets these landmarks.
    /// </param>
    public static byte[] Create(Weights weights, int size, int unsupportedOperator = -1, float[]? landmarks = null)
    {
        var b = new FlatBufferBuilder(4096);
        int half = (size + 1) / 2;

        // Buffers: 0 empty (TFLite's convention), then the constants.
        var buffers = new List<Offset<Table>> { Buffer(b, []) };
        int Constant(byte[] data)
        {
            buffers.Add(Buffer(b, data));
            return buffers.Count - 1;
        }

        int convFilter16 = Constant([.. weights.ConvFilter.SelectMany(v => BitConverter.GetBytes((Half)v))]);
        int convBias = Constant(Bytes(weights.ConvBias));
        int depthFilter = Constant(Bytes(weights.DepthFilter));
        int depthBias = Constant(Bytes(weights.DepthBias));
        int axes = Constant(MemoryMarshal.AsBytes<int>([1, 2]).ToArray());
        int denseWeight = Constant(Bytes(weights.DenseWeight));
        int denseBias = Constant(Bytes(weights.DenseBias));
        int finalFilter = Constant(Bytes(weights.FinalFilter));
        int finalBias = Constant(Bytes(weights.FinalBias));
        int landmarkWeight = landmarks is null ? 0 : Constant(new byte[63 * Channels * sizeof(float)]);
        int landmarkBias = landmarks is null ? 0 : Constant(Bytes(landmarks));

        // Tensors: (name, shape, type, buffer). Types: 0 float32, 1 float16, 2 int32.
        var tensors = new (string Name, int[] Shape, sbyte Type, int Buffer)[]
        {
            ("input_1", [1, size, size, 3], 0, 0),                    // 0
            ("conv/filter_fp16", [Channels, 3, 3, 3], 1, convFilter16), // 1
            ("conv/filter", [Channels, 3, 3, 3], 0, 0),                 // 2: DEQUANTIZE's output
            ("conv/bias", [Channels], 0, convBias),                     // 3
            ("conv/relu6", [1, half, half, Channels], 0, 0),            // 4
            ("depthwise/filter", [1, 3, 3, Channels], 0, depthFilter),  // 5
            ("depthwise/bias", [Channels], 0, depthBias),               // 6
            ("depthwise/relu6", [1, half, half, Channels], 0, 0),       // 7
            ("add", [1, half, half, Channels], 0, 0),                   // 8
            ("mean/axes", [2], 2, axes),                                // 9
            ("mean", [1, Channels], 0, 0),                              // 10
            ("dense/weight", [Outputs, Channels], 0, denseWeight),      // 11
            ("dense/bias", [Outputs], 0, denseBias),                    // 12
            ("dense", [1, Outputs], 0, 0),                              // 13
            ("Identity_1", [1, Outputs], 0, 0),                         // 14
            ("landmarks/weight", [63, Channels], 0, landmarkWeight),    // 15
            ("landmarks/bias", [63], 0, landmarkBias),                  // 16
            ("Identity", [1, 63], 0, 0),                                // 17
            ("final/filter", [Channels, 1, 1, Channels], 0, finalFilter), // 18
            ("final/bias", [Channels], 0, finalBias),                   // 19
            ("final/relu6", [1, half, half, Channels], 0, 0),           // 20
        };
        var tensorOffsets = tensors.Select(t =>
        {
            var name = b.CreateString(t.Name);
            var shape = IntVector(b, t.Shape);
            b.StartTable(4);
            b.AddOffset(0, shape.Value, 0);
            b.AddSbyte(1, t.Type, 0);
            b.AddUint(2, (uint)t.Buffer, 0);
            b.AddOffset(3, name.Value, 0);
            return b.EndTable();
        }).ToArray();

        // Operator codes: index → builtin code (field 0, the deprecated byte, and field 3, the int).
        int[] codes = [6, 3, 4, 0, 40, 9, unsupportedOperator >= 0 ? unsupportedOperator : 14];
        var codeOffsets = codes.Select(code =>
        {
            b.StartTable(4);
            b.AddSbyte(0, (sbyte)Math.Min(code, 127), 0);
            b.AddInt(3, code, 0);
            return b.EndTable();
        }).ToArray();

        var operators = new List<int>
        {
            Operator(b, 0, [1], [2], null),
            Operator(b, 1, [0, 2, 3], [4], () => { b.StartTable(6); b.AddSbyte(0, 0, 0); b.AddInt(1, 2, 0); b.AddInt(2, 2, 0); b.AddSbyte(3, 3, 0); return b.EndTable(); }),
            Operator(b, 2, [4, 5, 6], [7], () => { b.StartTable(7); b.AddSbyte(0, 0, 0); b.AddInt(1, 1, 0); b.AddInt(2, 1, 0); b.AddInt(3, 1, 0); b.AddSbyte(4, 3, 0); return b.EndTable(); }),
            Operator(b, 3, [4, 7], [8], () => { b.StartTable(1); b.AddSbyte(0, 0, 0); return b.EndTable(); }),
            Operator(b, 1, [8, 18, 19], [20], () => { b.StartTable(6); b.AddInt(1, 1, 0); b.AddInt(2, 1, 0); b.AddSbyte(3, 3, 0); return b.EndTable(); }),
            Operator(b, 4, [20, 9], [10], () => { b.StartTable(1); b.AddBool(0, false, false); return b.EndTable(); }),
            Operator(b, 5, [10, 11, 12], [13], () => { b.StartTable(3); b.AddSbyte(0, 0, 0); return b.EndTable(); }),
            Operator(b, 6, [13], [14], null),
        };
        if (landmarks is not null)
        {
            operators.Add(Operator(b, 5, [10, 15, 16], [17], () => { b.StartTable(3); b.AddSbyte(0, 0, 0); return b.EndTable(); }));
        }

        var tensorVector = OffsetVector(b, tensorOffsets);
        var inputs = IntVector(b, [0]);
        var outputs = IntVector(b, landmarks is null ? [14] : [14, 17]);
        var operatorVector = OffsetVector(b, operators);
        b.StartTable(5);
        b.AddOffset(0, tensorVector.Value, 0);
        b.AddOffset(1, inputs.Value, 0);
        b.AddOffset(2, outputs.Value, 0);
        b.AddOffset(3, operatorVector.Value, 0);
        var subgraph = b.EndTable();

        var codeVector = OffsetVector(b, codeOffsets);
        var subgraphVector = OffsetVector(b, [subgraph]);
        var bufferVector = OffsetVector(b, [.. buffers.Select(o => o.Value)]);
        b.StartTable(5);
        b.AddUint(0, 3, 0);
        b.AddOffset(1, codeVector.Value, 0);
        b.AddOffset(2, subgraphVector.Value, 0);
        b.AddOffset(4, bufferVector.Value, 0);
        int model = b.EndTable();
        b.Finish(model, "TFL3");
        return b.SizedByteArray();
    }

    /// <summary>The network on one NHWC image, computed directly: logits after LOGISTIC, and the pooled features.</summary>
    public static (float[] Output, float[] Pooled) Reference(Weights w, float[] image, int size)
    {
        var conv = Convolve(image, size, 3, w.ConvFilter, w.ConvBias, Channels, stride: 2, depthwise: false);
        int half = (size + 1) / 2;
        var depth = Convolve(conv, half, Channels, w.DepthFilter, w.DepthBias, Channels, stride: 1, depthwise: true);
        var residual = new float[conv.Length];
        for (int i = 0; i < conv.Length; i++)
        {
            residual[i] = conv[i] + depth[i];
        }

        var final = new float[residual.Length];
        for (int p = 0; p < half * half; p++)
        {
            for (int o = 0; o < Channels; o++)
            {
                double value = w.FinalBias[o];
                for (int c = 0; c < Channels; c++)
                {
                    value += w.FinalFilter[(o * Channels) + c] * residual[(p * Channels) + c];
                }

                final[(p * Channels) + o] = (float)Math.Clamp(value, 0, 6);
            }
        }

        var pooled = new float[Channels];
        for (int i = 0; i < final.Length; i++)
        {
            pooled[i % Channels] += final[i] / (half * half);
        }

        var output = new float[Outputs];
        for (int o = 0; o < Outputs; o++)
        {
            double sum = w.DenseBias[o];
            for (int c = 0; c < Channels; c++)
            {
                sum += w.DenseWeight[(o * Channels) + c] * pooled[c];
            }

            output[o] = (float)(1 / (1 + Math.Exp(-sum)));
        }

        return (output, pooled);
    }

    /// <summary>3×3 convolution with TensorFlow's SAME padding (the odd pixel at the end) and ReLU6.</summary>
    private static float[] Convolve(float[] input, int size, int inChannels, float[] filter, float[] bias, int outChannels, int stride, bool depthwise)
    {
        int outSize = (size + stride - 1) / stride;
        int padTotal = Math.Max(((outSize - 1) * stride) + 3 - size, 0);
        int padBefore = padTotal / 2;
        var output = new float[outSize * outSize * outChannels];
        for (int oy = 0; oy < outSize; oy++)
        {
            for (int ox = 0; ox < outSize; ox++)
            {
                for (int o = 0; o < outChannels; o++)
                {
                    double sum = bias[o];
                    for (int ky = 0; ky < 3; ky++)
                    {
                        for (int kx = 0; kx < 3; kx++)
                        {
                            int y = (oy * stride) + ky - padBefore, x = (ox * stride) + kx - padBefore;
                            if (y < 0 || x < 0 || y >= size || x >= size)
                            {
                                continue;
                            }

                            if (depthwise)
                            {
                                sum += input[(((y * size) + x) * inChannels) + o] * filter[(((ky * 3) + kx) * outChannels) + o];
                            }
                            else
                            {
                                for (int c = 0; c < inChannels; c++)
                                {
                                    sum += input[(((y * size) + x) * inChannels) + c] * filter[(((((o * 3) + ky) * 3) + kx) * inChannels) + c];
                                }
                            }
                        }
                    }

                    output[(((oy * outSize) + ox) * outChannels) + o] = (float)Math.Clamp(sum, 0, 6);
                }
            }
        }

        return output;
    }

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static Offset<Table> Buffer(FlatBufferBuilder b, byte[] data)
    {
        VectorOffset? vector = null;
        if (data.Length > 0)
        {
            b.StartVector(1, data.Length, 16); // aligned as TFLite aligns weights
            for (int i = data.Length - 1; i >= 0; i--)
            {
                b.AddByte(data[i]);
            }

            vector = b.EndVector();
        }

        b.StartTable(1);
        if (vector is { } v)
        {
            b.AddOffset(0, v.Value, 0);
        }

        return new Offset<Table>(b.EndTable());
    }

    private static int Operator(FlatBufferBuilder b, int code, int[] inputs, int[] outputs, Func<int>? options)
    {
        int? optionsOffset = options?.Invoke();
        var inputVector = IntVector(b, inputs);
        var outputVector = IntVector(b, outputs);
        b.StartTable(5);
        b.AddUint(0, (uint)code, 0);
        b.AddOffset(1, inputVector.Value, 0);
        b.AddOffset(2, outputVector.Value, 0);
        if (optionsOffset is { } o)
        {
            b.AddByte(3, 1, 0); // builtin_options_type: the converter reads the table by the operator's code
            b.AddOffset(4, o, 0);
        }

        return b.EndTable();
    }

    private static VectorOffset IntVector(FlatBufferBuilder b, int[] values)
    {
        b.StartVector(4, values.Length, 4);
        for (int i = values.Length - 1; i >= 0; i--)
        {
            b.AddInt(values[i]);
        }

        return b.EndVector();
    }

    private static VectorOffset OffsetVector(FlatBufferBuilder b, IReadOnlyList<int> offsets)
    {
        b.StartVector(4, offsets.Count, 4);
        for (int i = offsets.Count - 1; i >= 0; i--)
        {
            b.AddOffset(offsets[i]);
        }

        return b.EndVector();
    }
}
