namespace ModelServer.Trainer.Native;

/// <summary>TorchSharp's native library cannot be loaded; the message says why.</summary>
public sealed class TorchUnavailableException : Exception
{
    public TorchUnavailableException()
    {
    }

    public TorchUnavailableException(string message)
        : base(message)
    {
    }

    public TorchUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
