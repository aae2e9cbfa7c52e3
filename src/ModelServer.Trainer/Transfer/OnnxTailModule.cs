using System.Runtime.InteropServices;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// Runs the end of an exported transfer model in TorchSharp, from one intermediate tensor (the input of the stage
/// being fine-tuned) to <c>logits</c>, node by node as the ONNX graph says, so fine-tuning trains exactly the graph
/// that is served. Conv weights and the dense layer are parameters; batch-norm statistics, the feature mean/std and
/// every other initializer stay constants (batch norm is frozen: its statistics came from ImageNet's millions of
/// images, not these 1,877). Supports the operators <see cref="BackboneGraph"/> and <see cref="TransferExporter"/>
/// produce after the cut: Conv, BatchNormalization, Relu, Add, GlobalAveragePool, GlobalMaxPool, Flatten, Concat,
/// Identity, Sub, Div, Gemm; and what <see cref="TfLite.TfLiteOnnxConverter"/> adds: grouped (depthwise), dilated and
/// SAME-padded Conv, Clip (ReLU6), ReduceMean.
/// </summary>
public sealed class OnnxTailModule : nn.Module<Tensor, Tensor>
{
    private readonly List<NodeProto> _nodes;
    private readonly string _input;
    private readonly string _output;
    private readonly Dictionary<string, Tensor> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TorchSharp.Modules.Parameter> _trainable = new(StringComparer.Ordinal);

    public OnnxTailModule(ModelProto model, string input, string output) : base("onnx_tail")
    {
        ArgumentNullException.ThrowIfNull(model);
        _input = input;
        _output = output;
        var graph = model.Graph;
        int start = graph.Node.ToList().FindIndex(n => n.Output.Contains(input));
        int end = graph.Node.ToList().FindIndex(n => n.Output.Contains(output));
        if (end <= start)
        {
            throw new InvalidDataException($"'{output}' is not computed after '{input}' in the graph.");
        }

        _nodes = [.. graph.Node.Skip(start + 1).Take(end - start)];
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var node in _nodes)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (!initializers.TryGetValue(node.Input[i], out var proto) || _constants.ContainsKey(proto.Name) || _trainable.ContainsKey(proto.Name))
                {
                    continue;
                }

                var value = ToTensor(proto);
                bool trainable = (node.OpType == "Conv" && i == 1) || (node.OpType == "Gemm" && i >= 1);
                if (trainable)
                {
                    var parameter = new TorchSharp.Modules.Parameter(value, requires_grad: true);
                    _trainable[proto.Name] = parameter;
                    register_parameter(Sanitize(proto.Name), parameter);
                }
                else
                {
                    _constants[proto.Name] = value;
                    register_buffer(Sanitize(proto.Name), value);
                }
            }
        }
    }

    /// <summary>The trained values by initializer name, to write back into the ONNX graph.</summary>
    public IReadOnlyDictionary<string, TorchSharp.Modules.Parameter> Trainable => _trainable;

    public override Tensor forward(Tensor input)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [_input] = input };
        Tensor Get(string name) => values.TryGetValue(name, out var v) ? v : _trainable.TryGetValue(name, out var p) ? p : _constants[name];
        foreach (var node in _nodes)
        {
            Tensor x = Get(node.Input[0]);
            Tensor y = node.OpType switch
            {
                "Conv" => Conv(node, x, Get(node.Input[1]), node.Input.Count > 2 ? Get(node.Input[2]) : null),
                "BatchNormalization" => BatchNorm(node, x, Get(node.Input[1]), Get(node.Input[2]), Get(node.Input[3]), Get(node.Input[4])),
                "Relu" => nn.functional.relu(x),
                "Add" => x + Get(node.Input[1]),
                "Sub" => x - Get(node.Input[1]),
                "Div" => x / Get(node.Input[1]),
                "GlobalAveragePool" => x.mean([2, 3], keepdim: true),
                "GlobalMaxPool" => x.amax([2, 3], keepdim: true),
                "ReduceMean" => x.mean(Ints(node, "axes") ?? throw new NotSupportedException($"{node.Name}: ReduceMean without axes."), keepdim: (Int(node, "keepdims") ?? 1) != 0),
                "Clip" => x.clamp(Get(node.Input[1]), Get(node.Input[2])),
                "Flatten" => x.flatten(1),
                "Identity" => x,
                "Concat" => cat([.. node.Input.Select(Get)], 1),
                "Gemm" => nn.functional.linear(x, Get(node.Input[1]), node.Input.Count > 2 ? Get(node.Input[2]) : null),
                _ => throw new NotSupportedException($"Operator {node.OpType} ({node.Name}) is not supported for fine-tuning."),
            };
            values[node.Output[0]] = y;
        }

        return values[_output];
    }

    /// <summary>Writes the trained parameters into a copy of <paramref name="model"/>, replacing the initializers of the same names.</summary>
    public ModelProto Export(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var copy = model.Clone();
        foreach (var tensor in copy.Graph.Initializer)
        {
            if (_trainable.TryGetValue(tensor.Name, out var parameter))
            {
                float[] data = parameter.detach().contiguous().data<float>().ToArray();
                tensor.FloatData.Clear();
                tensor.RawData = Google.Protobuf.ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan()));
            }
        }

        return copy;
    }

    private static Tensor Conv(NodeProto node, Tensor x, Tensor weight, Tensor? bias)
    {
        long[] strides = Ints(node, "strides") ?? [1, 1];
        long[] dilations = Ints(node, "dilations") ?? [1, 1];
        long groups = Int(node, "group") ?? 1;
        long[] pads = Ints(node, "pads") ?? [0, 0, 0, 0];
        string autoPad = node.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            // TensorFlow's SAME: out = ceil(in / stride); the odd pixel of padding goes at the end (SAME_UPPER).
            pads = new long[4];
            for (int axis = 0; axis < 2; axis++)
            {
                long size = x.shape[2 + axis], kernel = ((weight.shape[2 + axis] - 1) * dilations[axis]) + 1;
                long output = (size + strides[axis] - 1) / strides[axis];
                long total = Math.Max(((output - 1) * strides[axis]) + kernel - size, 0);
                long small = total / 2;
                pads[axis] = autoPad == "SAME_UPPER" ? small : total - small;
                pads[axis + 2] = total - pads[axis];
            }
        }
        else if (autoPad != "NOTSET" && autoPad != "VALID")
        {
            throw new NotSupportedException($"{node.Name}: auto_pad {autoPad}.");
        }
        if (pads.Length == 4 && (pads[0] != pads[2] || pads[1] != pads[3]))
        {
            x = nn.functional.pad(x, [pads[1], pads[3], pads[0], pads[2]]);
            pads = [0, 0, 0, 0];
        }

        return nn.functional.conv2d(x, weight, bias, strides: strides, padding: [pads[0], pads[1]], dilation: dilations, groups: groups);
    }

    private static Tensor BatchNorm(NodeProto node, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor variance)
    {
        float epsilon = node.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
        return nn.functional.batch_norm(x, mean, variance, scale, bias, training: false, eps: epsilon);
    }

    private static long[]? Ints(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray();

    private static long? Int(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I;

    private static Tensor ToTensor(TensorProto proto)
    {
        long[] dims = [.. proto.Dims];
        float[] values = proto.RawData.Length > 0
            ? MemoryMarshal.Cast<byte, float>(proto.RawData.Span).ToArray()
            : [.. proto.FloatData];
        if (proto.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new NotSupportedException($"Initializer {proto.Name} is not float.");
        }

        return tensor(values, dims.Length == 0 ? [values.Length] : dims);
    }

    private static string Sanitize(string name) => name.Replace('.', '_');
}
