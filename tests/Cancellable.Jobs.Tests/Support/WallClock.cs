namespace Cancellable.Jobs.Tests.Support;

/// <summary>
/// A <see cref="TimeProvider"/> whose wall time (<see cref="GetUtcNow"/>) can jump, as a machine's clock does when NTP
/// or an operator sets it, while its timers and timestamps follow the steady clock of a <see cref="TestTimeProvider"/>,
/// as the system's do.
/// </summary>
public sealed class WallClock(TestTimeProvider steady) : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override long TimestampFrequency => steady.TimestampFrequency;

    /// <summary>Moves the wall time by <paramref name="delta"/>, forward or back; timers are not touched.</summary>
    public void Jump(TimeSpan delta) => Interlocked.Add(ref _offsetTicks, delta.Ticks);

    public override DateTimeOffset GetUtcNow() => steady.GetUtcNow() + Offset;

    public override long GetTimestamp() => steady.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        steady.CreateTimer(callback, state, dueTime, period);
}
