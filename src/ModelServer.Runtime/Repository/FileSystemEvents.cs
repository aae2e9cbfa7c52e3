using System.Threading.Channels;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// File system watchers over the folders being served; any event only wakes the poll loop early (the poll
/// decides what changed), so lost or duplicated events do no harm. Owns its watchers and disposes them.
/// </summary>
internal sealed class FileSystemEvents : IDisposable
{
    private readonly Dictionary<string, FileSystemWatcher> _watchers = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public ChannelReader<bool> Wake => _wake.Reader;

    /// <summary>Watches exactly <paramref name="folders"/> (those that exist); called after every poll.</summary>
    public void Sync(IEnumerable<string> folders)
    {
        var wanted = folders.Where(Directory.Exists).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in _watchers.Keys.Where(k => !wanted.Contains(k)).ToArray())
        {
            _watchers[stale].Dispose();
            _watchers.Remove(stale);
        }

        foreach (var folder in wanted.Where(f => !_watchers.ContainsKey(f)))
        {
            try
            {
                var watcher = new FileSystemWatcher(folder)
                {
                    IncludeSubdirectories = true,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size | NotifyFilters.LastWrite,
                };
                watcher.Created += OnEvent;
                watcher.Deleted += OnEvent;
                watcher.Changed += OnEvent;
                watcher.Renamed += OnEvent;
                watcher.EnableRaisingEvents = true;
                _watchers[folder] = watcher;
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
            {
                // Out of inotify watches, or the folder went away: polling still covers it.
            }
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => _wake.Writer.TryWrite(true);

    public void Dispose()
    {
        foreach (var watcher in _watchers.Values)
        {
            watcher.Dispose();
        }

        _watchers.Clear();
    }
}
