namespace ModelServer.Runtime.Onnx;

/// <summary>A model file that cannot be served: unreadable, not ONNX, or using types the server cannot carry.</summary>
public sealed class OnnxModelException : Exception
{
    public OnnxModelException()
    {
    }

    public OnnxModelException(string message)
        : base(message)
    {
    }

    public OnnxModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
