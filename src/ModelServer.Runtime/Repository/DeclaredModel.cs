namespace ModelServer.Runtime.Repository;

/// <summary>
/// A model the repository or configuration declares. <see cref="Source"/> is null when its settings could not be
/// read this time (<see cref="Problem"/> says why): the model is kept as it is rather than unloaded.
/// </summary>
internal sealed record DeclaredModel(string Name, ModelSource? Source, string? Problem);
