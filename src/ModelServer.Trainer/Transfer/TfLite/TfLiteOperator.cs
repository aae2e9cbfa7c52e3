using Google.FlatBuffers;

namespace ModelServer.Trainer.Transfer.TfLite;

/// <summary>
/// One operator of a TensorFlow Lite subgraph: its builtin code (<see cref="TfLiteBuiltin"/>), the tensor indices
/// it reads (-1: an optional input left out) and writes, and its options table (null when the file has none).
/// </summary>
public sealed record TfLiteOperator(int Code, int[] Inputs, int[] Outputs, Table? Options)
{
    /// <summary>An int field of the options table, or <paramref name="fallback"/> when absent (the schema's default).</summary>
    public int OptionInt(int field, int fallback = 0) => Options is { } table ? FlatBufferFields.Int(table, field, fallback) : fallback;

    /// <summary>A byte (enum or bool) field of the options table, or <paramref name="fallback"/> when absent.</summary>
    public int OptionByte(int field, int fallback = 0) => Options is { } table ? FlatBufferFields.Byte(table, field, fallback) & 0xFF : fallback;
}
