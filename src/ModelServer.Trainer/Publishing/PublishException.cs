namespace ModelServer.Trainer.Publishing;

/// <summary>A model could not be published; nothing was left in the repository.</summary>
public sealed class PublishException : Exception
{
    public PublishException()
    {
    }

    public PublishException(string message)
        : base(message)
    {
    }

    public PublishException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
