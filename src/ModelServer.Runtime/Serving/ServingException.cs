namespace ModelServer.Runtime.Serving;

/// <summary>An error with a canonical code and a message meant for the client (TF Serving's texts where it has one).</summary>
public sealed class ServingException : Exception
{
    public ServingException(ServingErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    public ServingException(ServingErrorCode code, string message, Exception innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    public ServingException()
        : this(ServingErrorCode.Unknown, "Unknown error.")
    {
    }

    public ServingException(string message)
        : this(ServingErrorCode.Unknown, message)
    {
    }

    public ServingException(string message, Exception innerException)
        : this(ServingErrorCode.Unknown, message, innerException)
    {
    }

    public ServingErrorCode Code { get; }

    public static ServingException InvalidArgument(string message) => new(ServingErrorCode.InvalidArgument, message);

    public static ServingException NotFound(string message) => new(ServingErrorCode.NotFound, message);

    public static ServingException FailedPrecondition(string message) => new(ServingErrorCode.FailedPrecondition, message);

    public static ServingException Unimplemented(string message) => new(ServingErrorCode.Unimplemented, message);
}
