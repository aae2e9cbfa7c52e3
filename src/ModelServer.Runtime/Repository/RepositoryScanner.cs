using ModelServer.Runtime.Configuration;
using ModelServer.Runtime.Serving;

namespace ModelServer.Runtime.Repository;

/// <summary>Finds the models to serve: every folder of the repository, or the one model of single-model mode.</summary>
public static class RepositoryScanner
{
    public static IReadOnlyList<ModelSource> Discover(ServingOptions options)
    {
        if (!string.IsNullOrEmpty(options.ModelBasePath))
        {
            var name = string.IsNullOrEmpty(options.ModelName) ? "default" : options.ModelName;
            return [ModelConfigReader.Read(name, Path.GetFullPath(options.ModelBasePath))];
        }

        var root = Path.GetFullPath(options.ModelRepository);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Model repository {root} does not exist.");
        }

        return Directory.EnumerateDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .Select(d => ModelConfigReader.Read(Path.GetFileName(d), d))
            .ToArray();
    }
}
