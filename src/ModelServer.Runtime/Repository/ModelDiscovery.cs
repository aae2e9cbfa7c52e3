using ModelServer.Runtime.Configuration;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Warmup;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// Finds the models to serve on each poll: the configured list (<c>--model_config_file</c> or the reload RPC), the
/// single model of <c>--model_base_path</c>, or every model folder of <c>--model_repository</c>. Each model's
/// <c>config.json</c> is re-read, so edits apply without a restart.
/// </summary>
internal static class ModelDiscovery
{
    /// <summary>The declared models; throws IO errors when the repository itself cannot be listed.</summary>
    public static IReadOnlyList<DeclaredModel> Discover(ServingOptions serving, IReadOnlyList<ModelSource>? configured, bool warmup)
    {
        if (configured is not null)
        {
            return configured.Select(entry => WithFolderSettings(entry, warmup)).ToArray();
        }

        if (!string.IsNullOrEmpty(serving.ModelBasePath))
        {
            var name = string.IsNullOrEmpty(serving.ModelName) ? "default" : serving.ModelName;
            var basePath = Path.GetFullPath(serving.ModelBasePath);
            return [Read(name, basePath, basePath, warmup)];
        }

        var root = Path.GetFullPath(serving.ModelRepository);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Model repository {root} does not exist (--model_repository)");
        }

        var realRoot = PathGuard.RealFolder(root);
        var models = new List<DeclaredModel>();
        foreach (var folder in new DirectoryInfo(root).EnumerateDirectories().OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (folder.Name.StartsWith('.'))
            {
                continue;
            }

            models.Add(PathGuard.CheckContained(folder, realRoot) is { } refused
                ? new DeclaredModel(folder.Name, null, refused)
                : Read(folder.Name, folder.FullName, root, warmup));
        }

        return models;
    }

    private static DeclaredModel Read(string name, string basePath, string containmentRoot, bool warmup)
    {
        try
        {
            var source = ModelConfigReader.Read(name, basePath) with { ContainmentRoot = containmentRoot };
            return new DeclaredModel(name, warmup ? source : source with { Warmup = WarmupSettings.Disabled }, null);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new DeclaredModel(name, null, ex.Message);
        }
    }

    /// <summary>A configured entry keeps its policy and labels; the folder's config.json adds the other sections.</summary>
    private static DeclaredModel WithFolderSettings(ModelSource entry, bool warmup)
    {
        var folder = Read(entry.Name, entry.BasePath, entry.BasePath, warmup);
        var settings = folder.Source ?? entry;
        var source = entry with
        {
            ContainmentRoot = entry.ContainmentRoot ?? entry.BasePath,
            Warmup = warmup ? settings.Warmup : WarmupSettings.Disabled,
            Transition = settings.Transition,
        };
        return new DeclaredModel(entry.Name, source, folder.Problem);
    }
}
