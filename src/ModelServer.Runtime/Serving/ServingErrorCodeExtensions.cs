namespace ModelServer.Runtime.Serving;

public static class ServingErrorCodeExtensions
{
    /// <summary>TF Serving's upper-case code name, as in <c>Error: INVALID_ARGUMENT: …</c> and status JSON.</summary>
    public static string ToTfName(this ServingErrorCode code) => code switch
    {
        ServingErrorCode.Ok => "OK",
        ServingErrorCode.Cancelled => "CANCELLED",
        ServingErrorCode.Unknown => "UNKNOWN",
        ServingErrorCode.InvalidArgument => "INVALID_ARGUMENT",
        ServingErrorCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        ServingErrorCode.NotFound => "NOT_FOUND",
        ServingErrorCode.AlreadyExists => "ALREADY_EXISTS",
        ServingErrorCode.PermissionDenied => "PERMISSION_DENIED",
        ServingErrorCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        ServingErrorCode.FailedPrecondition => "FAILED_PRECONDITION",
        ServingErrorCode.Aborted => "ABORTED",
        ServingErrorCode.OutOfRange => "OUT_OF_RANGE",
        ServingErrorCode.Unimplemented => "UNIMPLEMENTED",
        ServingErrorCode.Internal => "INTERNAL",
        ServingErrorCode.Unavailable => "UNAVAILABLE",
        ServingErrorCode.DataLoss => "DATA_LOSS",
        ServingErrorCode.Unauthenticated => "UNAUTHENTICATED",
        _ => "UNKNOWN",
    };
}
