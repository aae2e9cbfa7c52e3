using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using Tensorflow.Serving;
using PolicyCase = Tensorflow.Serving.FileSystemStoragePathSourceConfig.Types.ServableVersionPolicy.PolicyChoiceOneofCase;

namespace ModelServer.Host.ConfigReload;

/// <summary>
/// Validates a TF Serving <see cref="ModelServerConfig"/> and turns its <c>model_config_list</c> into the Runtime's
/// model sources. Any problem rejects the whole config (INVALID_ARGUMENT with TF Serving's text where it has one),
/// so a half-valid config never replaces a working one.
/// </summary>
internal static class ModelConfigListConverter
{
    /// <summary>Platforms accepted: ours, and TF Serving's, so its configs work unchanged (the folder still holds model.onnx).</summary>
    private static readonly HashSet<string> Platforms = new(StringComparer.Ordinal) { "", "onnx", "onnxruntime", "tensorflow" };

    public static IReadOnlyList<ModelSource> Convert(ModelServerConfig config)
    {
        if (config.ConfigCase != ModelServerConfig.ConfigOneofCase.ModelConfigList)
        {
            throw ServingException.InvalidArgument(
                "ServerModelConfig type not supported by HandleReloadConfigRequest. Only ModelConfigList is currently supported");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var sources = new List<ModelSource>(config.ModelConfigList.Config.Count);
        foreach (var model in config.ModelConfigList.Config)
        {
            if (string.IsNullOrEmpty(model.Name))
            {
                throw ServingException.InvalidArgument("A model in the config list has no name");
            }

            if (!names.Add(model.Name))
            {
                throw ServingException.InvalidArgument($"Illegal to list model {model.Name} multiple times in config list");
            }

            sources.Add(ToSource(model));
        }

        return sources;
    }

    private static ModelSource ToSource(Tensorflow.Serving.ModelConfig model)
    {
        var basePath = model.BasePath;
        if (basePath.Contains("://", StringComparison.Ordinal))
        {
            throw ServingException.InvalidArgument($"Model {model.Name} has base_path {basePath}: only local paths are supported, not URIs");
        }

        if (!Path.IsPathFullyQualified(basePath))
        {
            throw ServingException.InvalidArgument($"Expected model {model.Name} to have an absolute path or URI; got base_path()={basePath}");
        }

        if (PathGuard.HasParentSegment(basePath))
        {
            throw ServingException.InvalidArgument($"Model {model.Name} has base_path {basePath}, whose '..' segments are refused");
        }

        if (!Platforms.Contains(model.ModelPlatform))
        {
            throw ServingException.InvalidArgument($"Model {model.Name} has model_platform \"{model.ModelPlatform}\"; this server loads ONNX models (onnx, or tensorflow for TF Serving configs)");
        }

        foreach (var label in model.VersionLabels.Keys)
        {
            if (label.Length == 0 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw ServingException.InvalidArgument($"Model {model.Name} has label \"{label}\"; labels are [a-zA-Z0-9_]+");
            }
        }

        var policy = model.ModelVersionPolicy?.PolicyChoiceCase switch
        {
            PolicyCase.Latest => VersionPolicy.Latest((int)Math.Min(model.ModelVersionPolicy.Latest.NumVersions, int.MaxValue)),
            PolicyCase.All => VersionPolicy.All,
            PolicyCase.Specific => VersionPolicy.Specific(model.ModelVersionPolicy.Specific.Versions),
            _ => VersionPolicy.Default,
        };
        var labels = new Dictionary<string, long>(model.VersionLabels, StringComparer.Ordinal);
        return new ModelSource(model.Name, Path.GetFullPath(basePath), policy, labels) { ContainmentRoot = Path.GetFullPath(basePath) };
    }
}
