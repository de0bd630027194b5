using System.Collections.Concurrent;
using Cancellable.Jobs.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Cancellable.Jobs.Tests.Properties;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records when the runner arms a job's cancellation grace period, so a test can
/// wait for that before it moves the clock (the runner arms it on a thread-pool thread after a cancel).
/// </summary>
internal sealed class TrackingTimeProvider(DateTimeOffset start, TimeSpan gracePeriod) : FakeTimeProvider(start)
{
    private readonly ConcurrentDictionary<(string JobId, int Attempt), DateTimeOffset> _graceTimers = new();

    public event Action? Changed;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (state is JobRun run && dueTime == gracePeriod && period == Timeout.InfiniteTimeSpan)
        {
            _graceTimers.TryAdd((run.Job.Id, run.Job.Attempt), GetUtcNow());
            Changed?.Invoke();
        }

        return timer;
    }

    /// <summary>Gets when the grace period of an attempt started, if the runner armed it.</summary>
    public DateTimeOffset? GraceStartedAt(string jobId, int attempt) => _graceTimers.TryGetValue((jobId, attempt), out var at) ? at : null;
}
