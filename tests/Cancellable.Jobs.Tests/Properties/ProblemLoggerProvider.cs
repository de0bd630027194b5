using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.Tests.Properties;

/// <summary>
/// Records the library's log events that mean an exception escaped a step or a write was refused: sweep failed (11),
/// claim failed (12), flush failed (13), end refused (15), end failed (16).
/// </summary>
internal sealed class ProblemLoggerProvider : ILoggerProvider
{
    private static readonly HashSet<int> ProblemEvents = [11, 12, 13, 15, 16];
    private readonly ConcurrentQueue<string> _problems = new();

    public IReadOnlyList<string> Problems => [.. _problems];

    /// <summary>Gets or sets a hook called with the id of each warning or error, on the thread that logs it.</summary>
    public Action<int>? OnEvent { get; set; }

    public ILogger CreateLogger(string categoryName) => new ProblemLogger(this);

    public void Dispose()
    {
    }

    private sealed class ProblemLogger(ProblemLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            provider.OnEvent?.Invoke(eventId.Id);
            if (ProblemEvents.Contains(eventId.Id))
            {
                provider._problems.Enqueue($"{eventId.Id} {formatter(state, exception)} {exception}");
            }
        }
    }
}
