using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Cancellable.Jobs.Tests.Reliability;

/// <summary>A fake clock that knows which of the timers created on it are not disposed yet, by their period.</summary>
public sealed class CountingTimeProvider : FakeTimeProvider
{
    private readonly ConcurrentDictionary<CountedTimer, TimeSpan> _live = new();

    public CountingTimeProvider()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public int LiveTimers => _live.Count;

    public int LiveTimersWithPeriod(TimeSpan period) => _live.Values.Count(p => p == period);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new CountedTimer(this, base.CreateTimer(callback, state, dueTime, period));
        _live[timer] = period;
        return timer;
    }

    private sealed class CountedTimer(CountingTimeProvider owner, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            owner._live.TryRemove(this, out _);
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
