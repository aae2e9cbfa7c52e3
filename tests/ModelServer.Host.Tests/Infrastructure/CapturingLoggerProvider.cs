using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ModelServer.Host.Tests.Infrastructure;

/// <summary>
/// Every log entry at Information or above from every category, as "{event id} {level} {category}: {message} ({exception type}: {its message})", so tests
/// can wait for what the server reports, or check that something (a Kestrel error) was never logged.
/// </summary>
internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(log, categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => log.Enqueue($"{eventId.Id} {logLevel} {category}: {formatter(state, exception)}"
                           + (exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message})"));
    }
}
