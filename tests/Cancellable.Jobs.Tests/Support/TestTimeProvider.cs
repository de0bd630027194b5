using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace Cancellable.Jobs.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records the timers created on it, so a test can wait until a component is
/// asleep on its timer before it advances the clock, instead of racing it.
/// </summary>
public sealed class TestTimeProvider : FakeTimeProvider
{
    private readonly object _lock = new();
    private readonly List<TimerRecord> _timers = [];
    private readonly List<(Func<TimerRecord, bool> Match, int After, TaskCompletionSource<TimerRecord> Done)> _waiters = [];

    public TestTimeProvider()
        : base(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture))
    {
    }

    /// <summary>Gets how many timers were created so far; pass it as <c>after</c> to wait only for newer ones.</summary>
    public int TimerCount
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_lock)
        {
            var record = new TimerRecord(_timers.Count, GetUtcNow(), dueTime, period);
            _timers.Add(record);
            foreach (var waiter in _waiters.Where(w => record.Index >= w.After && w.Match(record)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(record);
            }
        }

        return timer;
    }

    /// <summary>Waits until a timer numbered <paramref name="after"/> or later, that <paramref name="match"/> accepts, exists.</summary>
    public Task<TimerRecord> WaitForTimerAsync(Func<TimerRecord, bool> match, int after = 0, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var existing = _timers.Skip(after).FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            var done = new TaskCompletionSource<TimerRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, after, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Waits until a timer due <paramref name="dueTime"/> after its creation exists.</summary>
    public Task<TimerRecord> WaitForTimerAsync(TimeSpan dueTime, int after = 0, CancellationToken cancellationToken = default) =>
        WaitForTimerAsync(t => t.DueTime == dueTime, after, cancellationToken);

    /// <summary>One timer created on the provider.</summary>
    public sealed record TimerRecord(int Index, DateTimeOffset CreatedAt, TimeSpan DueTime, TimeSpan Period);
}
