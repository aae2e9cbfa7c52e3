namespace ModelServer.LoadGen;

/// <summary>Where the load goes. <see cref="SendAsync"/> returns null on success or a short error code.</summary>
internal interface ILoadTarget : IAsyncDisposable
{
    string Name { get; }

    /// <summary>True when a send blocks its thread (in-process ONNX Runtime), so workers need their own threads.</summary>
    bool IsBlocking { get; }

    Task PrepareAsync(RequestInput input, CancellationToken cancellationToken);

    Task<string?> SendAsync(CancellationToken cancellationToken);
}
