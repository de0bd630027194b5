namespace Cancellable.Jobs.Hosting;

/// <summary>
/// One attempt of one job running in this process: its token, its context, its timers and why it was cancelled; and the
/// pool's work item that starts it.
/// </summary>
internal sealed class JobRun : IDisposable, IThreadPoolWorkItem
{
    private const int Idle = 0, Flushing = 1, Ended = 2;

    private readonly CancellationTokenSource _cts = new();
    private int _writes; // Idle, Flushing or Ended
    private TaskCompletionSource? _flushEnded;
    private int _localReason = -1;
    private ITimer? _timeoutTimer;
    private ITimer? _overdueTimer;
    private readonly Action<JobRun>? _execute;
    private long _endedAt; // UTC ticks

    /// <param name="job">The job as claimed.</param>
    /// <param name="descriptor">The job's registered type.</param>
    /// <param name="context">The context its code reports through.</param>
    /// <param name="startTimestamp">When the run was claimed, on the runner's clock.</param>
    /// <param name="execute">What the pool calls when it executes this run as a work item.</param>
    public JobRun(JobSnapshot job, JobTypeDescriptor descriptor, JobContext context, long startTimestamp, Action<JobRun>? execute = null)
    {
        _execute = execute;
        Job = job;
        Descriptor = descriptor;
        Context = context;
        StartTimestamp = startTimestamp;
    }

    public JobSnapshot Job { get; }

    public string RunId => Job.RunId!;

    public JobTypeDescriptor Descriptor { get; }

    public JobContext Context { get; }

    public long StartTimestamp { get; }

    public CancellationToken Token => _cts.Token;

    /// <summary>Gets the reason of the first cancellation this run saw, if any.</summary>
    public JobCancelReason? LocalReason => Volatile.Read(ref _localReason) is var r and >= 0 ? (JobCancelReason)r : null;

    /// <summary>Starts a flush of the run's reports, unless one is writing or the run's end took over the writes.</summary>
    public bool TryBeginFlush() => Interlocked.CompareExchange(ref _writes, Flushing, Idle) == Idle;

    /// <summary>Ends the flush <see cref="TryBeginFlush"/> started, and lets a waiting end go ahead.</summary>
    public void EndFlush()
    {
        Volatile.Write(ref _writes, Idle);
        Interlocked.Exchange(ref _flushEnded, null)?.TrySetResult();
    }

    /// <summary>
    /// Takes the run's writes for its end, once a flush writing now is done: the end is never overtaken by a flush, and
    /// no flush starts after it.
    /// </summary>
    public async ValueTask BeginEndAsync()
    {
        while (Interlocked.CompareExchange(ref _writes, Ended, Idle) != Idle)
        {
            // A flush is writing. Leave a latch before looking again (a full fence each side, as in EndFlush), so a
            // flush ending after the look opens it.
            var latch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _flushEnded, latch);
            if (Volatile.Read(ref _writes) == Flushing)
            {
                await latch.Task.ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Takes the run's writes for its end as <see cref="BeginEndAsync"/> does, when no flush is writing now; otherwise
    /// takes nothing and returns false.
    /// </summary>
    public bool TryBeginEnd() => Interlocked.CompareExchange(ref _writes, Ended, Idle) == Idle;

    /// <summary>Gets how the job's code ended; set by <see cref="SetOutcome"/> before the run's end is queued.</summary>
    public JobStatus Outcome { get; private set; }

    /// <summary>Gets the result of a run that completed, as JSON.</summary>
    public byte[]? Result { get; private set; }

    /// <summary>Gets the exception of a run that failed.</summary>
    public Exception? Error { get; private set; }

    /// <summary>Gets the exception of a run that failed, as the job's record keeps it.</summary>
    public JobError? JobError { get; private set; }

    /// <summary>Gets when the job's code ended: the job's completion time.</summary>
    public DateTimeOffset EndedAt => new(_endedAt, TimeSpan.Zero);

    /// <summary>Gets how long the run took, from its claim to the end of its code.</summary>
    public TimeSpan Duration { get; private set; }

    /// <summary>Keeps how the job's code ended, for the writer that writes the run's end.</summary>
    public void SetOutcome(JobStatus outcome, byte[]? result, Exception? error, int maxMessageLength, DateTimeOffset endedAt, TimeSpan duration)
    {
        _endedAt = endedAt.UtcTicks;
        Outcome = outcome;
        Result = result;
        Error = error;
        JobError = error is null ? null : JobError.From(error, maxMessageLength);
        Duration = duration;
    }

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

    /// <summary>Starts the grace period of a cancellation; once the job's code has stopped (timers stopped), does nothing.</summary>
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
    }

    void IThreadPoolWorkItem.Execute() => _execute!(this);

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
