using System.Globalization;

namespace ModelServer.Runtime.Repository;

/// <summary>Finds version folders: children whose whole name parses as a non-negative int64 ("00012" is 12); others ("2.tmp", ".staging") are ignored.</summary>
public static class VersionFolders
{
    public const string ModelFileName = "model.onnx";

    public static IReadOnlyDictionary<long, string> Find(string basePath)
    {
        var versions = new Dictionary<long, string>();
        if (!Directory.Exists(basePath))
        {
            return versions;
        }

        foreach (var directory in Directory.EnumerateDirectories(basePath))
        {
            var name = System.IO.Path.GetFileName(directory);
            if (TryParseVersion(name, out var version) && !versions.ContainsKey(version))
            {
                versions[version] = directory;
            }
        }

        return versions;
    }

    public static bool TryParseVersion(string name, out long version)
    {
        version = 0;
        return name.Length > 0
               && name.All(char.IsAsciiDigit)
               && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }
}
