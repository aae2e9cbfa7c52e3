using System.ComponentModel.DataAnnotations;

namespace ModelServer.Runtime.Repository;

/// <summary>How the repository is followed while serving (section <c>ModelServer</c>, TF Serving's flag names); validated at start.</summary>
public sealed class RepositoryWatcherOptions
{
    /// <summary>
    /// Poll period (<c>--file_system_poll_wait_seconds</c>, default 1). File system events only bring the next poll
    /// forward, as they are unreliable on network and Kubernetes volumes. 0 reads the repository once at start.
    /// Negative values, which make TF Serving hang at start, are refused.
    /// </summary>
    [Range(0, 86400)]
    public double FileSystemPollWaitSeconds { get; set; } = 1;

    /// <summary>
    /// How long a version's files (size and mtime) must stay unchanged before it is loaded; null means one poll
    /// period. Files last written longer ago than this (a folder renamed into place) load at once.
    /// </summary>
    [Range(0, 86400)]
    public double? FileSystemSettleSeconds { get; set; }

    /// <summary>Whether file system events trigger an early poll (off where inotify watches are scarce).</summary>
    public bool EnableFileSystemEvents { get; set; } = true;

    /// <summary>Run each new version on zeros before it turns AVAILABLE (<c>--enable_model_warmup</c>, default on).</summary>
    public bool EnableModelWarmup { get; set; } = true;

    public TimeSpan PollPeriod => TimeSpan.FromSeconds(FileSystemPollWaitSeconds);

    public TimeSpan SettlePeriod => TimeSpan.FromSeconds(FileSystemSettleSeconds ?? Math.Max(FileSystemPollWaitSeconds, 0));
}
