using ModelServer.Runtime.Serving;

namespace ModelServer.Runtime.Repository;

/// <summary>A snapshot of one version's state, with the error that ended it (if any).</summary>
public sealed record ModelVersionStatus(long Version, ModelVersionState State, ServingErrorCode ErrorCode, string ErrorMessage);
