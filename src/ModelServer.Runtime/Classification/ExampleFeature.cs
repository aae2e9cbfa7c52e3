namespace ModelServer.Runtime.Classification;

/// <summary>
/// One feature of a classify example, protocol-neutral (a <c>tf.train.Feature</c> or a JSON example value):
/// exactly one of the lists is set. Bytes borrow the request's memory for the call.
/// </summary>
public sealed class ExampleFeature
{
    private ExampleFeature(IReadOnlyList<ReadOnlyMemory<byte>>? bytes, IReadOnlyList<float>? floats, IReadOnlyList<long>? int64s)
    {
        Bytes = bytes;
        Floats = floats;
        Int64s = int64s;
    }

    public IReadOnlyList<ReadOnlyMemory<byte>>? Bytes { get; }

    public IReadOnlyList<float>? Floats { get; }

    public IReadOnlyList<long>? Int64s { get; }

    public int Count => Bytes?.Count ?? Floats?.Count ?? Int64s?.Count ?? 0;

    public static ExampleFeature FromBytes(IReadOnlyList<ReadOnlyMemory<byte>> values) => new(values, null, null);

    public static ExampleFeature FromFloats(IReadOnlyList<float> values) => new(null, values, null);

    public static ExampleFeature FromInt64s(IReadOnlyList<long> values) => new(null, null, values);

    public string KindName => Bytes is not null ? "bytes" : Floats is not null ? "float" : "int64";
}
