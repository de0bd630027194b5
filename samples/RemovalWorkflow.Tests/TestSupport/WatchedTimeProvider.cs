using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace RemovalWorkflow.Tests.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also tells when a one-shot timer of a given due time is created: the job's
/// delay between batches (<c>Task.Delay(delay, timeProvider, token)</c> creates one), or the runner's cancellation
/// grace timer, which it creates right after it fired the job's token.
/// </summary>
internal sealed class WatchedTimeProvider : TimeProvider
{
    private readonly ConcurrentDictionary<TimeSpan, Channel<bool>> _created = new();

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        if (period == Timeout.InfiniteTimeSpan)
        {
            ChannelFor(dueTime).Writer.TryWrite(true);
        }

        return timer;
    }

    /// <summary>Waits until the next one-shot timer of <paramref name="dueTime"/> is created (each creation is seen once).</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime, CancellationToken cancellationToken) =>
        await ChannelFor(dueTime).Reader.ReadAsync(cancellationToken);

    public void Advance(TimeSpan by) => Fake.Advance(by);

    private Channel<bool> ChannelFor(TimeSpan dueTime) => _created.GetOrAdd(dueTime, static _ => Channel.CreateUnbounded<bool>());
}
