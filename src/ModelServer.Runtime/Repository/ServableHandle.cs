using ModelServer.Runtime.Onnx;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// A request's reference to one served version. Dispose it when the request is done with the model
/// (after its outputs are encoded); disposing twice is harmless.
/// </summary>
public sealed class ServableHandle : IDisposable
{
    private ServableVersion? _version;

    internal ServableHandle(ServableVersion version)
    {
        _version = version;
        ModelName = version.ModelName;
        Version = version.Version;
    }

    public string ModelName { get; }

    public long Version { get; }

    /// <summary>The version this handle holds (for per-version machinery such as the batcher).</summary>
    public ServableVersion Servable => _version ?? throw new ObjectDisposedException(nameof(ServableHandle));

    public OnnxModel Model => (_version ?? throw new ObjectDisposedException(nameof(ServableHandle))).Model;

    public void Dispose() => Interlocked.Exchange(ref _version, null)?.Release();
}
