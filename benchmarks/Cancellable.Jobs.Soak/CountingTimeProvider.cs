namespace Cancellable.Jobs.Soak;

/// <summary>The system clock, counting the timers created on it that are not disposed yet.</summary>
internal sealed class CountingTimeProvider : TimeProvider
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<object, (TimeSpan DueTime, TimeSpan Period)> _timers = new();
    private long _live;

    public long LiveTimers => Interlocked.Read(ref _live);

    /// <summary>Describes the live timers by due time and period, such as <c>3 × 30 s once</c>.</summary>
    public string Describe() => string.Join(", ", _timers.Values
        .GroupBy(t => t)
        .Select(g => $"{g.Count()} × {g.Key.DueTime.TotalSeconds:0.###} s {(g.Key.Period == Timeout.InfiniteTimeSpan ? "once" : $"every {g.Key.Period.TotalSeconds:0.###} s")}"));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _live);
        var timer = new CountedTimer(this, System.CreateTimer(callback, state, dueTime, period));
        _timers[timer] = (dueTime, period);
        return timer;
    }

    private sealed class CountedTimer(CountingTimeProvider owner, ITimer inner) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._live);
                owner._timers.TryRemove(this, out _);
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
