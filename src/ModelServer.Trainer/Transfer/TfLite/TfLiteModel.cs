using Google.FlatBuffers;

namespace ModelServer.Trainer.Transfer.TfLite;

/// <summary>
/// The first subgraph of a TensorFlow Lite model file (a FlatBuffer, schema.fbs), read through Google.FlatBuffers'
/// table accessors without generated code: tensors, operators in execution order, graph inputs and outputs, and
/// the constant buffers. The file's bytes are held (not copied) for the model's lifetime.
/// </summary>
public sealed class TfLiteModel
{
    // schema.fbs field numbers; a table's field N sits at vtable offset 4 + 2N.
    private const int ModelOperatorCodes = 1, ModelSubgraphs = 2, ModelBuffers = 4;
    private const int CodeDeprecatedBuiltin = 0, CodeBuiltin = 3;
    private const int GraphTensors = 0, GraphInputs = 1, GraphOutputs = 2, GraphOperators = 3;
    private const int TensorShape = 0, TensorType = 1, TensorBuffer = 2, TensorName = 3;
    private const int OperatorCode = 0, OperatorInputs = 1, OperatorOutputs = 2, OperatorOptions = 4;
    private const int BufferData = 0;

    private readonly ByteBuffer _bytes;
    private readonly int[] _bufferTables;

    private TfLiteModel(ByteBuffer bytes, int[] bufferTables, List<TfLiteTensor> tensors, List<TfLiteOperator> operators, int[] inputs, int[] outputs)
    {
        _bytes = bytes;
        _bufferTables = bufferTables;
        Tensors = tensors;
        Operators = operators;
        Inputs = inputs;
        Outputs = outputs;
    }

    public IReadOnlyList<TfLiteTensor> Tensors { get; }

    public IReadOnlyList<TfLiteOperator> Operators { get; }

    public IReadOnlyList<int> Inputs { get; }

    public IReadOnlyList<int> Outputs { get; }

    /// <exception cref="InvalidDataException">Not a TensorFlow Lite model, or one whose tables point outside the file.</exception>
    public static TfLiteModel Parse(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Length < 8 || file[4] != (byte)'T' || file[5] != (byte)'F' || file[6] != (byte)'L' || file[7] != (byte)'3')
        {
            throw new InvalidDataException("Not a TensorFlow Lite model (no 'TFL3' file identifier).");
        }

        try
        {
            var bytes = new ByteBuffer(file);
            var model = new Table(bytes.GetInt(0), bytes);
            int[] codes = [.. FlatBufferFields.Tables(model, ModelOperatorCodes).Select(c => Math.Max(FlatBufferFields.Byte(c, CodeDeprecatedBuiltin), FlatBufferFields.Int(c, CodeBuiltin)))];
            var graphs = FlatBufferFields.Tables(model, ModelSubgraphs);
            if (graphs.Length == 0)
            {
                throw new InvalidDataException("The model has no subgraph.");
            }

            var graph = graphs[0];
            var tensors = FlatBufferFields.Tables(graph, GraphTensors)
                .Select(t => new TfLiteTensor(FlatBufferFields.String(t, TensorName) ?? "", FlatBufferFields.Ints(t, TensorShape), FlatBufferFields.Byte(t, TensorType), FlatBufferFields.Int(t, TensorBuffer)))
                .ToList();
            var operators = new List<TfLiteOperator>();
            foreach (var op in FlatBufferFields.Tables(graph, GraphOperators))
            {
                int index = FlatBufferFields.Int(op, OperatorCode);
                if ((uint)index >= (uint)codes.Length)
                {
                    throw new InvalidDataException($"Operator code index {index} is out of range ({codes.Length} codes).");
                }

                int optionsOffset = op.__offset(4 + (2 * OperatorOptions));
                Table? options = optionsOffset == 0 ? null : new Table(op.__indirect(op.bb_pos + optionsOffset), bytes);
                int[] inputs = FlatBufferFields.Ints(op, OperatorInputs), outputs = FlatBufferFields.Ints(op, OperatorOutputs);
                if (inputs.Concat(outputs).Any(i => i < -1 || i >= tensors.Count))
                {
                    throw new InvalidDataException($"An operator names a tensor outside 0..{tensors.Count - 1}.");
                }

                operators.Add(new TfLiteOperator(codes[index], inputs, outputs, options));
            }

            int[] bufferTables = [.. FlatBufferFields.Tables(model, ModelBuffers).Select(b => b.bb_pos)];
            return new TfLiteModel(bytes, bufferTables, tensors, operators, FlatBufferFields.Ints(graph, GraphInputs), FlatBufferFields.Ints(graph, GraphOutputs));
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new InvalidDataException($"The TensorFlow Lite file is truncated or corrupt: {ex.Message}");
        }
        catch (IndexOutOfRangeException ex)
        {
            throw new InvalidDataException($"The TensorFlow Lite file is truncated or corrupt: {ex.Message}");
        }
    }

    /// <summary>The constant data of tensor <paramref name="tensor"/>, empty when it is computed at run time.</summary>
    public ReadOnlySpan<byte> Data(int tensor)
    {
        int buffer = Tensors[tensor].Buffer;
        if (buffer <= 0 || buffer >= _bufferTables.Length)
        {
            return default;
        }

        var table = new Table(_bufferTables[buffer], _bytes);
        int offset = table.__offset(4 + (2 * BufferData));
        if (offset == 0)
        {
            return default;
        }

        int start = table.__vector(offset);
        return _bytes.ToArraySegment(start, table.__vector_len(offset));
    }
}
