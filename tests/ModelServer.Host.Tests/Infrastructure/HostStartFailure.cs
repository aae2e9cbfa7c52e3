namespace ModelServer.Host.Tests.Infrastructure;

/// <summary>
/// Starts a host that is expected to fail and returns why it failed. WebApplicationFactory's deferred host can lose a
/// race with a start that fails fast: it asks the already disposed host for its lifetime and reports an
/// <see cref="ObjectDisposedException"/> for the service provider instead of the start's own exception (seen once in
/// a few runs of the suite). Such a report is not the server's answer, so a fresh host is started again, a few times.
/// </summary>
internal static class HostStartFailure
{
    private const int Attempts = 5;

    public static TException Capture<TException>(Action startHost)
        where TException : Exception
        => Assert.IsType<TException>(Record(startHost));

    /// <summary>The exception the failed start reported (the factory's race retried up to five times); null if the host started.</summary>
    public static Exception? Record(Action startHost)
    {
        for (var attempt = 1; ; attempt++)
        {
            var error = Xunit.Record.Exception(startHost);
            if (error is ObjectDisposedException { ObjectName: "IServiceProvider" } && attempt < Attempts)
            {
                continue;
            }

            return error;
        }
    }
}
