using System.Text.Json;
using ModelServer.Runtime.Repository;

namespace ModelServer.Runtime.Configuration;

/// <summary>Reads a model folder's <c>config.json</c> into a <see cref="ModelSource"/>.</summary>
public static class ModelConfigReader
{
    public const string FileName = "config.json";

    /// <summary>The model's source; throws <see cref="InvalidDataException"/> naming the problem when the file is malformed.</summary>
    public static ModelSource Read(string name, string basePath)
    {
        var file = Path.Combine(basePath, FileName);
        if (!File.Exists(file))
        {
            return ModelSource.ForFolder(name, basePath);
        }

        ModelConfigFile? config;
        try
        {
            config = JsonSerializer.Deserialize(File.ReadAllBytes(file), ModelConfigJsonContext.Default.ModelConfigFile);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{file}: {ex.Message}", ex);
        }

        BatchingConfigReader.Validate(config?.Batching, file);
        return new ModelSource(
            name,
            basePath,
            ToPolicy(config?.VersionPolicy, file),
            config?.VersionLabels ?? new Dictionary<string, long>(StringComparer.Ordinal));
    }

    private static VersionPolicy ToPolicy(VersionPolicyConfig? config, string file)
    {
        if (config is null)
        {
            return VersionPolicy.Default;
        }

        var chosen = (config.Latest is null ? 0 : 1) + (config.All is null ? 0 : 1) + (config.Specific is null ? 0 : 1);
        if (chosen != 1)
        {
            throw new InvalidDataException($"{file}: version_policy must have exactly one of latest, all, specific.");
        }

        if (config.Latest is { } latest)
        {
            return latest.NumVersions < 1
                ? throw new InvalidDataException($"{file}: version_policy.latest.num_versions must be at least 1.")
                : VersionPolicy.Latest(latest.NumVersions);
        }

        return config.All is not null ? VersionPolicy.All : VersionPolicy.Specific(config.Specific!.Versions);
    }
}
