namespace ModelServer.Trainer.Data;

/// <summary>The data folder cannot be used for training or evaluation; the message says why.</summary>
public sealed class DatasetException : Exception
{
    public DatasetException()
    {
    }

    public DatasetException(string message)
        : base(message)
    {
    }

    public DatasetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
