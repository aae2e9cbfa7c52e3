namespace ModelServer.Runtime.Repository;

/// <summary>
/// What to serve for one model: where its numbered versions live, which of them to serve, and its labels.
/// Built from the repository layout plus <c>config.json</c>, or from a TF Serving <c>model_config_list</c> entry.
/// </summary>
public sealed record ModelSource(string Name, string BasePath, VersionPolicy Policy, IReadOnlyDictionary<string, long> Labels)
{
    public static ModelSource ForFolder(string name, string basePath)
        => new(name, basePath, VersionPolicy.Default, new Dictionary<string, long>(StringComparer.Ordinal));
}
