using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Serving;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// One version of a model and its lifecycle. While AVAILABLE the manager holds one reference; every request holds
/// one more through a <see cref="ServableHandle"/>. Unloading drops the manager's reference, and the session is
/// disposed by whoever releases the last one, so a swap or unload never cuts a request in flight.
/// </summary>
public sealed class ServableVersion
{
    private readonly object _gate = new();
    private int _references;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private OnnxModel? _model;

    public ServableVersion(string modelName, long version, string path, string fingerprint = "")
    {
        ModelName = modelName;
        Version = version;
        Path = path;
        Fingerprint = fingerprint;
    }

    public string ModelName { get; }

    public long Version { get; }

    public string Path { get; }

    /// <summary>The version folder's file fingerprint when loading started: a failed version is retried only once it differs.</summary>
    public string Fingerprint { get; }

    public ModelVersionState State { get; private set; } = ModelVersionState.Start;

    public ServingErrorCode ErrorCode { get; private set; }

    public string ErrorMessage { get; private set; } = string.Empty;

    /// <summary>Completes when an AVAILABLE version has been unloaded and its session disposed (the last request ended).</summary>
    public Task Ended => _ended.Task;

    /// <summary>The loaded model; valid only while the caller holds a handle.</summary>
    public OnnxModel Model => _model ?? throw new InvalidOperationException($"Version {Version} of {ModelName} is not loaded.");

    public ModelVersionStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new ModelVersionStatus(Version, State, ErrorCode, ErrorMessage);
            }
        }
    }

    internal void MarkLoading()
    {
        lock (_gate)
        {
            State = ModelVersionState.Loading;
            ErrorCode = ServingErrorCode.Ok;
            ErrorMessage = string.Empty;
        }
    }

    internal void MarkAvailable(OnnxModel model)
    {
        lock (_gate)
        {
            _model = model;
            _references = 1;
            State = ModelVersionState.Available;
        }
    }

    internal void MarkFailed(ServingErrorCode code, string message)
    {
        lock (_gate)
        {
            State = ModelVersionState.End;
            ErrorCode = code;
            ErrorMessage = message;
        }
    }

    /// <summary>Takes a reference for one request; false once the version is gone.</summary>
    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (_references == 0)
            {
                return false;
            }

            _references++;
            return true;
        }
    }

    /// <summary>Releases a request's reference; the last one out disposes the session.</summary>
    public void Release() => DropReference();

    /// <summary>Stops serving: the manager's reference goes; requests in flight finish on the session.</summary>
    internal void BeginUnload()
    {
        lock (_gate)
        {
            if (State != ModelVersionState.Available)
            {
                return;
            }

            State = ModelVersionState.Unloading;
        }

        DropReference();
    }

    private void DropReference()
    {
        OnnxModel? toDispose = null;
        lock (_gate)
        {
            if (_references == 0)
            {
                return;
            }

            _references--;
            if (_references == 0)
            {
                toDispose = _model;
                _model = null;
                State = ModelVersionState.End;
            }
        }

        if (toDispose is not null)
        {
            toDispose.Dispose();
            NativeHeap.Trim();
            _ended.TrySetResult();
        }
    }
}
