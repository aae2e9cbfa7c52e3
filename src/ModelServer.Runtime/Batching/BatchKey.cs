namespace ModelServer.Runtime.Batching;

/// <summary>
/// What requests must share to be merged into one batch: the outputs they ask for and, per input, the dimensions
/// after dimension 0 (only the rank when variable-length inputs are padded).
/// </summary>
internal sealed class BatchKey : IEquatable<BatchKey>
{
    private readonly IReadOnlyList<string> _outputNames;
    private readonly long[][] _innerDims;
    private readonly int _hash;

    public BatchKey(IReadOnlyList<string> outputNames, long[][] innerDims)
    {
        _outputNames = outputNames;
        _innerDims = innerDims;
        var hash = default(HashCode);
        foreach (var name in outputNames)
        {
            hash.Add(name, StringComparer.Ordinal);
        }

        foreach (var dims in innerDims)
        {
            hash.Add(dims.Length);
            foreach (var dim in dims)
            {
                hash.Add(dim);
            }
        }

        _hash = hash.ToHashCode();
    }

    public bool Equals(BatchKey? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other._hash != _hash || other._outputNames.Count != _outputNames.Count || other._innerDims.Length != _innerDims.Length)
        {
            return false;
        }

        for (var i = 0; i < _outputNames.Count; i++)
        {
            if (!string.Equals(_outputNames[i], other._outputNames[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        for (var i = 0; i < _innerDims.Length; i++)
        {
            if (!_innerDims[i].AsSpan().SequenceEqual(other._innerDims[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as BatchKey);

    public override int GetHashCode() => _hash;
}
