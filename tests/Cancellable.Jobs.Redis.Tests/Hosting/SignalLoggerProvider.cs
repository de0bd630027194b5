using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.Redis.Tests.Hosting;

/// <summary>Completes <see cref="Logged"/> when a log entry with the given event name is written, and keeps each such entry.</summary>
public sealed class SignalLoggerProvider(string eventName) : ILoggerProvider
{
    public TaskCompletionSource Logged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets the entries with the event name: their level, id, structured state and message.</summary>
    public ConcurrentQueue<(LogLevel Level, EventId Id, IReadOnlyDictionary<string, object?> State, string Message)> Entries { get; } = new();

    public string EventName { get; } = eventName;

    public ILogger CreateLogger(string categoryName) => new SignalLogger(this);

    public void Dispose()
    {
    }

    private sealed class SignalLogger(SignalLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name == provider.EventName)
            {
                var fields = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
                provider.Entries.Enqueue((logLevel, eventId, fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal), formatter(state, exception)));
                provider.Logged.TrySetResult();
            }
        }
    }
}
