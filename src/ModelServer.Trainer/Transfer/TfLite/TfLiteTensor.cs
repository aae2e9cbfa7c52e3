namespace ModelServer.Trainer.Transfer.TfLite;

/// <summary>
/// One tensor of a TensorFlow Lite subgraph: its shape as recorded in the file (NHWC for images), element type
/// (the schema's <c>TensorType</c>: 0 float32, 1 float16, 2 int32) and the index of the buffer holding its
/// constant data (buffer 0 and empty buffers mean "computed at run time").
/// </summary>
public sealed record TfLiteTensor(string Name, int[] Shape, int Type, int Buffer)
{
    public const int Float32 = 0;
    public const int Float16 = 1;
    public const int Int32 = 2;
}
