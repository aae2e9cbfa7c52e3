using System.Globalization;
using System.Text;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// Lists a model's version folders with a fingerprint of their files (relative path, size, mtime), so the watcher
/// can tell when a version has stopped changing and whether a failed one has been replaced.
/// </summary>
public static class VersionScanner
{
    /// <summary>Files looked at per version; a folder with more is fingerprinted by its first ones only.</summary>
    public const int MaxFilesPerVersion = 1000;

    /// <summary>
    /// Every numeric folder under <paramref name="basePath"/>, ascending. Throws <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> when the base path itself cannot be listed.
    /// </summary>
    public static IReadOnlyList<VersionCandidate> Scan(string basePath, string? containmentRoot)
    {
        var result = new List<VersionCandidate>();
        if (!Directory.Exists(basePath))
        {
            return result;
        }

        var realRoot = PathGuard.RealFolder(containmentRoot ?? basePath);
        var versions = new SortedDictionary<long, DirectoryInfo>();
        foreach (var directory in new DirectoryInfo(basePath).EnumerateDirectories())
        {
            if (VersionFolders.TryParseVersion(directory.Name, out var version) && !versions.ContainsKey(version))
            {
                versions[version] = directory;
            }
        }

        foreach (var (version, directory) in versions)
        {
            result.Add(Describe(version, directory, realRoot));
        }

        return result;
    }

    /// <summary>One version folder, described as <see cref="Scan"/> would.</summary>
    public static VersionCandidate ScanOne(long version, string path, string containmentRoot)
        => Describe(version, new DirectoryInfo(path), PathGuard.RealFolder(containmentRoot));

    private static VersionCandidate Describe(long version, DirectoryInfo directory, string realRoot)
    {
        if (!directory.Exists)
        {
            return new VersionCandidate(version, directory.FullName, "gone", DateTimeOffset.MaxValue, null);
        }

        var fingerprint = new StringBuilder();

        // The folder's own mtime changes when entries are added or removed: a folder just created and still
        // empty (mkdir, then copy) is not mistaken for an old, settled one.
        var lastWrite = new DateTimeOffset(directory.LastWriteTimeUtc, TimeSpan.Zero);
        try
        {
            if (PathGuard.CheckContained(directory, realRoot) is { } refused)
            {
                return new VersionCandidate(version, directory.FullName, "refused", lastWrite, refused);
            }

            var files = 0;
            foreach (var file in directory.EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 }))
            {
                if (++files > MaxFilesPerVersion)
                {
                    break;
                }

                if (PathGuard.CheckContained(file, realRoot) is { } refusedFile)
                {
                    return new VersionCandidate(version, directory.FullName, "refused", lastWrite, refusedFile);
                }

                // A link's own size and mtime say nothing about its target: fingerprint what it points at.
                var target = file.LinkTarget is null ? file : (FileInfo?)file.ResolveLinkTarget(returnFinalTarget: true) ?? file;
                target.Refresh();
                var written = new DateTimeOffset(target.LastWriteTimeUtc, TimeSpan.Zero);
                lastWrite = written > lastWrite ? written : lastWrite;
                fingerprint.Append(Path.GetRelativePath(directory.FullName, file.FullName)).Append('|')
                    .Append(target.Exists ? target.Length : -1).Append('|')
                    .Append(written.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append(';');
            }
        }
        catch (UnauthorizedAccessException ex)
        {
            return new VersionCandidate(version, directory.FullName, "denied", lastWrite, $"Permission denied reading {directory.FullName}: {ex.Message}");
        }
        catch (IOException ex)
        {
            // Files vanish or move while a version is being published: an unstable fingerprint keeps it unsettled.
            return new VersionCandidate(version, directory.FullName, "io:" + ex.Message, DateTimeOffset.MaxValue, null);
        }

        return new VersionCandidate(version, directory.FullName, fingerprint.ToString(), lastWrite, null);
    }
}
