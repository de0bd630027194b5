namespace Cancellable.Jobs.Tests.Properties;

internal enum CodeState
{
    /// <summary>The attempt's code is not running (pending, or ended).</summary>
    None,

    /// <summary>The code runs and waits for the test's next step.</summary>
    Waiting,

    /// <summary>The code runs and waits for its token.</summary>
    AwaitingToken,
}

/// <summary>What the model expects of one job.</summary>
internal sealed class ModelJob
{
    public required string Id { get; init; }

    public required long Order { get; init; }

    public required string Type { get; init; }

    public string? Owner { get; init; }

    public required string[] Tags { get; init; }

    public TimeSpan? Timeout { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public JobStatus Status { get; set; } = JobStatus.Pending;

    public int Attempt { get; set; } = 1;

    public bool Removed { get; set; }

    public CodeState Code { get; set; }

    public bool RanThisAttempt { get; set; }

    public bool TokenFired { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? CancelRequestedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? TimeoutAt { get; set; }

    public DateTimeOffset? OverdueAt { get; set; }

    public JobCancelReason? CancelReason { get; set; }

    public string? CancelRequestedBy { get; set; }

    public bool DeleteRequested { get; set; }

    public bool Overdue { get; set; }

    public double Reported { get; set; }

    public int? ReportedPartial { get; set; }

    public List<(JobMessageLevel Level, string Text)> Messages { get; } = [];

    public double Flushed { get; set; }

    public int? FlushedPartial { get; set; }

    public int FlushedMessages { get; set; }

    public string? ErrorType { get; set; }

    public List<JobStatus> PreviousStatuses { get; } = [];

    public bool Matches(JobFilter filter) =>
        (filter.Status is null || filter.Status == Status)
        && (filter.Type is null || filter.Type == Type)
        && (filter.Owner is null || filter.Owner == Owner)
        && (filter.Tag is null || Tags.Contains(filter.Tag));

    public override string ToString() => $"job {Order} ({Id[..8]}) #{Attempt} {Status}";
}

/// <summary>
/// A small model of the lifecycle: which jobs exist, what state each is in, and what the store must show. Time only
/// moves when the test moves it.
/// </summary>
internal sealed class JobModel(CancellableJobsOptions options)
{
    private int _messageCounter;

    public DateTimeOffset Now { get; set; } = JobSystem.Epoch;

    public List<ModelJob> Jobs { get; } = [];

    public IEnumerable<ModelJob> Live => Jobs.Where(j => !j.Removed);

    public int PendingCount => Live.Count(j => j.Status == JobStatus.Pending);

    public IReadOnlyList<ModelJob> Executing => [.. Live.Where(j => j.Code == CodeState.Waiting).OrderBy(j => j.Order)];

    public ModelJob Add(string id, string type, string? owner, string[] tags, TimeSpan? timeout)
    {
        var job = new ModelJob { Id = id, Order = Jobs.Count + 1, Type = type, Owner = owner, Tags = tags, Timeout = timeout, CreatedAt = Now };
        Jobs.Add(job);
        return job;
    }

    /// <summary>What the runner does whenever a slot is free: start the oldest pending job.</summary>
    public void Claim()
    {
        while (Live.Count(j => j.Code != CodeState.None) < options.MaxConcurrentJobs
            && Live.Where(j => j.Status == JobStatus.Pending).MinBy(j => j.Order) is { } next)
        {
            next.Status = JobStatus.Running;
            next.StartedAt = Now;
            next.Code = CodeState.Waiting;
            next.RanThisAttempt = true;
            next.TimeoutAt = next.Timeout is { } limit ? Now + limit : null;
        }
    }

    public string NextMessage() => $"m{++_messageCounter}";

    public TimeSpan Retention(JobStatus status) => status switch
    {
        JobStatus.Completed => options.CompletedRetention,
        JobStatus.Failed => options.FailedRetention,
        _ => options.CancelledRetention,
    };

    /// <summary>Cancel as <see cref="IJobManager.CancelAsync"/> does it; returns the outcome it must report.</summary>
    public JobCommandOutcome Cancel(ModelJob job, string? by)
    {
        if (job.Removed)
        {
            return JobCommandOutcome.NotFound;
        }

        switch (job.Status)
        {
            case JobStatus.Pending:
                job.CancelRequestedAt = Now;
                job.CancelReason = JobCancelReason.Requested;
                job.CancelRequestedBy = by;
                Finish(job, JobStatus.Cancelled);
                return JobCommandOutcome.Applied;
            case JobStatus.Running:
                RequestCancel(job, JobCancelReason.Requested, by);
                return JobCommandOutcome.Accepted;
            case JobStatus.Cancelling:
                return JobCommandOutcome.Accepted;
            default:
                return JobCommandOutcome.Conflict;
        }
    }

    /// <summary>Running → Cancelling; the token fires, and a job that waits for it stops at once.</summary>
    public void RequestCancel(ModelJob job, JobCancelReason reason, string? by)
    {
        job.Status = JobStatus.Cancelling;
        job.CancelRequestedAt = Now;
        job.CancelReason = reason;
        job.CancelRequestedBy = by;
        FireToken(job);
    }

    public void FireToken(ModelJob job)
    {
        job.TokenFired = true;
        job.OverdueAt = Now + options.CancellationGracePeriod;
        if (job.Code == CodeState.AwaitingToken)
        {
            End(job, JobStatus.Cancelled, errorType: null);
        }
    }

    /// <summary>The job's code stopped with <paramref name="outcome"/>.</summary>
    public void End(ModelJob job, JobStatus outcome, string? errorType)
    {
        job.Code = CodeState.None;
        job.TimeoutAt = null;
        job.OverdueAt = null;
        Flush(job);
        if (outcome == JobStatus.Completed)
        {
            job.Flushed = 1;
        }

        job.ErrorType = errorType;
        Finish(job, outcome);
        if (job.DeleteRequested)
        {
            job.Removed = true;
        }
    }

    public static void Flush(ModelJob job)
    {
        job.Flushed = job.Reported;
        job.FlushedPartial = job.ReportedPartial;
        job.FlushedMessages = job.Messages.Count;
    }

    public JobCommandOutcome Retry(ModelJob job)
    {
        if (job.Removed)
        {
            return JobCommandOutcome.NotFound;
        }

        if (job.Status is not (JobStatus.Failed or JobStatus.Cancelled))
        {
            return JobCommandOutcome.Conflict;
        }

        job.PreviousStatuses.Add(job.Status);
        job.Status = JobStatus.Pending;
        job.Attempt++;
        job.RanThisAttempt = false;
        job.TokenFired = false;
        job.StartedAt = job.CompletedAt = job.CancelRequestedAt = job.ExpiresAt = job.TimeoutAt = job.OverdueAt = null;
        job.CancelReason = null;
        job.CancelRequestedBy = null;
        job.Overdue = false;
        job.Reported = job.Flushed = 0;
        job.ReportedPartial = job.FlushedPartial = null;
        job.Messages.Clear();
        job.FlushedMessages = 0;
        job.ErrorType = null;
        return JobCommandOutcome.Applied;
    }

    public JobCommandOutcome Delete(ModelJob job, string? by)
    {
        if (job.Removed)
        {
            return JobCommandOutcome.NotFound;
        }

        switch (job.Status)
        {
            case JobStatus.Running:
                job.DeleteRequested = true;
                RequestCancel(job, JobCancelReason.Requested, by);
                return JobCommandOutcome.Accepted;
            case JobStatus.Cancelling:
                job.DeleteRequested = true;
                return JobCommandOutcome.Accepted;
            default:
                job.Removed = true;
                return JobCommandOutcome.Applied;
        }
    }

    /// <summary>The next time a timer of a running attempt fires: its timeout or the end of its grace period.</summary>
    public DateTimeOffset? NextTimer() => Live
        .Where(j => j.Code != CodeState.None)
        .SelectMany(j => new[] { j.TimeoutAt, j.Status == JobStatus.Cancelling && !j.Overdue ? j.OverdueAt : null })
        .Where(t => t is not null)
        .Min();

    public void FireTimers()
    {
        foreach (var job in Live.Where(j => j.Code != CodeState.None).OrderBy(j => j.Order).ToList())
        {
            if (job.TimeoutAt == Now)
            {
                job.TimeoutAt = null;
                if (!job.TokenFired)
                {
                    RequestCancel(job, JobCancelReason.Timeout, by: null);
                }
            }

            if (job.OverdueAt == Now && job.Code != CodeState.None)
            {
                job.OverdueAt = null;
                job.Overdue = job.Status == JobStatus.Cancelling;
            }
        }
    }

    /// <summary>
    /// The runner's one flush timer ticks every interval from the host's start; a tick in (from, to] writes what each
    /// job running for at least one interval at `to` reported.
    /// </summary>
    public void FlushTicks(DateTimeOffset from, DateTimeOffset to)
    {
        var interval = options.ProgressFlushInterval.Ticks;
        var ticked = (to - JobSystem.Epoch).Ticks / interval > (from - JobSystem.Epoch).Ticks / interval;
        if (!ticked)
        {
            return;
        }

        // The fake clock jumps to `to`, then fires the ticks: the runner sees `to` as now, and a job started less than one
        // interval before it waits for a later tick.
        foreach (var job in Live.Where(j => j.Code != CodeState.None && to - j.StartedAt!.Value >= options.ProgressFlushInterval))
        {
            Flush(job);
        }
    }

    /// <summary>What one sweep removes: the expired, then the oldest finished beyond the cap.</summary>
    public void Sweep()
    {
        foreach (var job in Live.Where(j => j.ExpiresAt <= Now).ToList())
        {
            job.Removed = true;
        }

        var finished = Live.Where(j => j.Status.IsTerminal()).OrderBy(j => j.CompletedAt).ThenBy(j => j.Order).ToList();
        foreach (var job in finished.Take(finished.Count - options.MaxRetainedJobs))
        {
            job.Removed = true;
        }
    }

    public DateTimeOffset? NextExpiry() => Live.Select(j => j.ExpiresAt).Where(t => t is not null).Min();

    private void Finish(ModelJob job, JobStatus outcome)
    {
        job.Status = outcome;
        job.CompletedAt = Now;
        job.ExpiresAt = Now + Retention(outcome);
    }
}
