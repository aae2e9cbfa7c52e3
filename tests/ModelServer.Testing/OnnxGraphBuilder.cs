using Google.Protobuf;
using Onnx;

namespace ModelServer.Testing;

/// <summary>Builds small real ONNX models for tests (through the ONNX schema in ModelServer.Protos).</summary>
public sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>Adds a graph input; a null dimension is symbolic (becomes -1 in the signature).</summary>
    public OnnxGraphBuilder Input(string name, TensorProto.Types.DataType type, params long?[] shape)
    {
        _graph.Input.Add(ValueInfo(name, type, shape));
        return this;
    }

    public OnnxGraphBuilder Output(string name, TensorProto.Types.DataType type, params long?[] shape)
    {
        _graph.Output.Add(ValueInfo(name, type, shape));
        return this;
    }

    public OnnxGraphBuilder Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return this;
    }

    public OnnxGraphBuilder FloatConstant(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        _graph.Initializer.Add(tensor);
        return this;
    }

    public OnnxGraphBuilder Metadata(string key, string value)
    {
        _metadata[key] = value;
        return this;
    }

    public byte[] Build()
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "ModelServer.Testing",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        foreach (var (key, value) in _metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model.ToByteArray();
    }

    public static AttributeProto IntAttribute(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long?[] shape)
    {
        var tensorShape = new TensorShapeProto();
        var symbol = 0;
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim is { } size
                ? new TensorShapeProto.Types.Dimension { DimValue = size }
                : new TensorShapeProto.Types.Dimension { DimParam = $"d{symbol++}" });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }
}
