namespace Cancellable.Jobs.Hosting;

/// <summary>
/// One attempt of one job running in this process: its token, its context, its timers and why it was cancelled.
/// </summary>
internal sealed class JobRun : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private int _localReason = -1;
    private ITimer? _timeoutTimer;
    private ITimer? _overdueTimer;

    public JobRun(JobSnapshot job, JobTypeDescriptor descriptor, JobContext context, long startTimestamp)
    {
        Job = job;
        Descriptor = descriptor;
        Context = context;
        StartTimestamp = startTimestamp;
        RunId = job.RunId!;
    }

    public JobSnapshot Job { get; }

    public string RunId { get; }

    public JobTypeDescriptor Descriptor { get; }

    public JobContext Context { get; }

    public long StartTimestamp { get; }

    public CancellationToken Token => _cts.Token;

    /// <summary>Gets the reason of the first cancellation this run saw, if any.</summary>
    public JobCancelReason? LocalReason => Volatile.Read(ref _localReason) is var r and >= 0 ? (JobCancelReason)r : null;

    /// <summary>Serializes the run's writes to the store, so the end is never overtaken by a flush.</summary>
    public SemaphoreSlim WriteGate => _writeGate;

    /// <summary>Gets or sets the run's task, set by the claim loop once the run is registered.</summary>
    public Task? Completion { get; set; }

    /// <summary>Fires the job's token once; returns true for the first call.</summary>
    public bool TryCancel(JobCancelReason reason)
    {
        if (Interlocked.CompareExchange(ref _localReason, (int)reason, -1) != -1)
        {
            return false;
        }

        try
        {
            _cts.Cancel();
        }
        catch (AggregateException)
        {
            // Exceptions thrown by the job's own token callbacks belong to the job; its outcome reports them.
        }
        catch (ObjectDisposedException)
        {
            // The run already ended.
        }

        return true;
    }

    /// <summary>Starts the timer that cancels the run at the job's timeout, when it has one.</summary>
    public void StartTimeout(TimeProvider timeProvider, TimerCallback timeout)
    {
        if (Job.Timeout is { } limit)
        {
            _timeoutTimer = timeProvider.CreateTimer(timeout, this, limit, Timeout.InfiniteTimeSpan);
        }
    }

    public void StartOverdueTimer(TimeProvider timeProvider, TimeSpan gracePeriod, TimerCallback overdue)
    {
        // A cancel can reach a run that already ended (the runner's poll reads the run table, then the store): such a
        // timer was never disposed and kept the run alive for the whole grace period.
        if (Volatile.Read(ref _overdueTimer) is not null)
        {
            return;
        }

        var timer = timeProvider.CreateTimer(overdue, this, gracePeriod, Timeout.InfiniteTimeSpan);
        if (Interlocked.CompareExchange(ref _overdueTimer, timer, null) is not null)
        {
            timer.Dispose();
        }
    }

    public void StopTimers()
    {
        _timeoutTimer?.Dispose();
        Interlocked.Exchange(ref _overdueTimer, StoppedTimer.Instance)?.Dispose();
    }

    public void Dispose()
    {
        StopTimers();
        _cts.Dispose();
        _writeGate.Dispose();
    }

    /// <summary>Stands in the overdue timer's place once the run's timers are stopped, so that none starts after.</summary>
    private sealed class StoppedTimer : ITimer
    {
        public static readonly StoppedTimer Instance = new();

        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
