namespace ModelServer.Runtime.Repository;

/// <summary>
/// Keeps served files inside the repository: a version folder or file that is a symlink resolving outside the
/// containment root is refused. Links that stay inside (Kubernetes ConfigMap/Secret volumes use <c>..data</c>
/// links) are fine.
/// </summary>
public static class PathGuard
{
    /// <summary>The folder's own path with a final symlink resolved (the root itself may be a link, e.g. a mounted volume).</summary>
    public static string RealFolder(string path)
    {
        var full = Path.GetFullPath(path);
        var info = new DirectoryInfo(full);
        return info.LinkTarget is null ? full : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
    }

    /// <summary>Null when <paramref name="entry"/> stays inside <paramref name="realRoot"/>, else the reason it is refused.</summary>
    public static string? CheckContained(FileSystemInfo entry, string realRoot)
    {
        if (entry.LinkTarget is null)
        {
            return null;
        }

        var target = entry.ResolveLinkTarget(returnFinalTarget: true);
        if (target is null || !IsInside(target.FullName, realRoot))
        {
            return $"{entry.FullName} is a symlink to {entry.LinkTarget}, which leaves {realRoot}; refused";
        }

        return null;
    }

    /// <summary>Whether a path has a <c>..</c> segment (refused in configured base paths before normalising).</summary>
    public static bool HasParentSegment(string path)
        => path.Split('/', '\\').Any(segment => segment == "..");

    public static bool IsInside(string fullPath, string realRoot)
    {
        var root = realRoot.EndsWith(Path.DirectorySeparatorChar) ? realRoot : realRoot + Path.DirectorySeparatorChar;
        return fullPath.StartsWith(root, StringComparison.Ordinal) || fullPath == realRoot;
    }
}
