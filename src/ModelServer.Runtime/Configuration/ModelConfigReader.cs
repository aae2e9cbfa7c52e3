using System.Text.Json;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Warmup;

namespace ModelServer.Runtime.Configuration;

/// <summary>Reads a model folder's <c>config.json</c> into a <see cref="ModelSource"/>.</summary>
public static class ModelConfigReader
{
    public const string FileName = "config.json";

    /// <summary>Largest config.json read (checked before reading it).</summary>
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>The model's source; throws <see cref="InvalidDataException"/> naming the problem when the file is malformed.</summary>
    public static ModelSource Read(string name, string basePath)
    {
        var file = Path.Combine(basePath, FileName);
        if (!File.Exists(file))
        {
            return ModelSource.ForFolder(name, basePath);
        }

        var length = new FileInfo(file).Length;
        if (length > MaxFileBytes)
        {
            throw new InvalidDataException($"{file} is {length} bytes; config.json may be at most {MaxFileBytes} bytes.");
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
            config?.VersionLabels ?? new Dictionary<string, long>(StringComparer.Ordinal))
        {
            Warmup = ToWarmup(config?.Warmup, file),
            Transition = config?.VersionTransition switch
            {
                null or "availability_preserving" => VersionTransition.AvailabilityPreserving,
                "resource_preserving" => VersionTransition.ResourcePreserving,
                var other => throw new InvalidDataException($"{file}: version_transition must be availability_preserving or resource_preserving, not \"{other}\"."),
            },
        };
    }

    /// <summary>Largest warmup batch accepted: warmup allocates zeros of this many rows.</summary>
    public const int MaxWarmupBatchSize = 4096;

    private static WarmupSettings ToWarmup(WarmupConfig? config, string file)
    {
        if (config is null)
        {
            return WarmupSettings.Default;
        }

        if (!config.Enabled)
        {
            return WarmupSettings.Disabled;
        }

        var sizes = config.BatchSizes is { Count: > 0 } given ? given : [1];
        if (sizes.Any(b => b is < 1 or > MaxWarmupBatchSize))
        {
            throw new InvalidDataException($"{file}: warmup.batch_sizes must be between 1 and {MaxWarmupBatchSize}.");
        }

        return new WarmupSettings(true, sizes.Distinct().ToArray());
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
