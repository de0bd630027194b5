namespace Cancellable.Jobs;

/// <summary>
/// The lifecycle's rules: each method turns a job into its next state, or returns <see langword="null"/> when the rule
/// does not allow the transition from the job's current state. Stores apply the result atomically.
/// </summary>
internal static class JobTransitions
{
    /// <summary>The <see cref="JobError.Type"/> of an attempt marked stale.</summary>
    public const string LeaseLapsedError = "Cancellable.Jobs.LeaseLapsed";

    public static JobSnapshot? Start(JobSnapshot job, DateTimeOffset now, string runId) =>
        job.Status != JobStatus.Pending ? null : job with { Status = JobStatus.Running, StartedAt = now, RunId = runId, Version = job.Version + 1 };

    /// <summary>Pending → Cancelled at once; Running → Cancelling. The first reason asked for is kept.</summary>
    public static JobSnapshot? Cancel(JobSnapshot job, DateTimeOffset now, JobCancelReason reason, string? requestedBy, Func<JobStatus, TimeSpan> retention, string? runId = null)
    {
        if (runId is not null && job.RunId != runId)
        {
            return null;
        }

        return job.Status switch
        {
            JobStatus.Pending => Finish(job with { CancelRequestedAt = now, CancelReason = reason, CancelRequestedBy = requestedBy }, JobStatus.Cancelled, now, retention),
            JobStatus.Running => job with { Status = JobStatus.Cancelling, CancelRequestedAt = now, CancelReason = reason, CancelRequestedBy = requestedBy, Version = job.Version + 1 },
            _ => null,
        };
    }

    /// <summary>
    /// Running or Cancelling → a terminal status, only for the run that holds <paramref name="runId"/>, with what the
    /// run's <paramref name="context"/> reported last, and its <paramref name="result"/> or <paramref name="error"/>.
    /// </summary>
    public static JobSnapshot? End(
        JobSnapshot job,
        string runId,
        JobStatus outcome,
        DateTimeOffset now,
        Func<JobStatus, TimeSpan> retention,
        JobCancelReason? localReason,
        JobContext? context = null,
        byte[]? result = null,
        JobError? error = null)
    {
        if (job.RunId != runId || job.Status is not (JobStatus.Running or JobStatus.Cancelling))
        {
            return null;
        }

        var cancelledHere = outcome == JobStatus.Cancelled && job.CancelReason is null;
        var report = context?.Capture(outcome);
        now = NotBeforeCancelRequest(job, now);

        // One copy holding the outcome and the run's last report (Finish and ApplyTo would make one each).
        return job with
        {
            Status = outcome,
            CompletedAt = now,
            ExpiresAt = now + retention(outcome),
            RunId = null,
            Version = job.Version + 1,
            CancelRequestedAt = cancelledHere ? now : job.CancelRequestedAt,
            CancelReason = cancelledHere ? localReason ?? JobCancelReason.Requested : job.CancelReason,
            Progress = report?.Progress ?? job.Progress,
            PartialResultUtf8 = report?.PartialResult ?? job.PartialResultUtf8,
            Messages = report?.Messages ?? job.Messages,
            DroppedMessages = report?.DroppedMessages ?? job.DroppedMessages,
            ResultUtf8 = outcome == JobStatus.Completed ? result : job.ResultUtf8,
            Error = outcome == JobStatus.Failed ? error : job.Error,
        };
    }

    /// <summary>Failed or Cancelled → Pending as the next attempt; the attempt that ended is kept in the history.</summary>
    public static JobSnapshot? Retry(JobSnapshot job)
    {
        if (job.Status is not (JobStatus.Failed or JobStatus.Cancelled) || job.IsDeleteRequested)
        {
            return null;
        }

        var ended = new JobAttempt
        {
            Number = job.Attempt,
            Status = job.Status,
            StartedAt = job.StartedAt,
            CompletedAt = job.CompletedAt,
            Error = job.Error,
            CancelReason = job.CancelReason,
            Progress = job.Progress,
            Messages = job.Messages,
            PartialResult = job.PartialResult,
        };

        return job with
        {
            Status = JobStatus.Pending,
            Attempt = job.Attempt + 1,
            PreviousAttempts = [.. job.PreviousAttempts, ended],
            Progress = JobProgress.None,
            Messages = [],
            DroppedMessages = JobMessageCounts.None,
            PartialResult = null,
            Result = null,
            Error = null,
            StartedAt = null,
            CompletedAt = null,
            CancelRequestedAt = null,
            CancelReason = null,
            CancelRequestedBy = null,
            IsCancellationOverdue = false,
            ExpiresAt = null,
            RunId = null,
        };
    }

    /// <summary>
    /// Running or Cancelling → Failed with reason stale: the run's lease lapsed, so its runner is presumed dead. When
    /// <paramref name="requeue"/> is set, nobody asked to cancel or delete the job, and it was re-queued fewer than
    /// <paramref name="maxRequeues"/> times already, the stale attempt is kept in the history and the job becomes Pending
    /// as the next attempt, as <see cref="Retry"/> does.
    /// </summary>
    public static JobSnapshot? MarkStale(JobSnapshot job, DateTimeOffset now, bool requeue, int maxRequeues, Func<JobStatus, TimeSpan> retention)
    {
        if (job.Status is not (JobStatus.Running or JobStatus.Cancelling))
        {
            return null;
        }

        var message = $"The lease of run {job.RunId} lapsed: the instance running the job stopped renewing it (killed, or cut off from the store).";
        var bounded = StaleRequeueBoundReached(job, requeue, maxRequeues);
        if (bounded)
        {
            message += $" The job was re-queued {StaleRequeues(job)} times after its runner died (MaxStaleRequeues is {maxRequeues}) and is not re-queued again: it may be what kills its runner.";
        }

        var failed = Finish(job with
        {
            CancelRequestedAt = job.CancelRequestedAt ?? now,
            CancelReason = JobCancelReason.Stale,
            Error = new JobError(LeaseLapsedError, message, StackTrace: null),
        }, JobStatus.Failed, now, retention);
        return CanRequeueStale(job, requeue) && !bounded ? Retry(failed) : failed;
    }

    /// <summary>
    /// Gets how many times <paramref name="job"/> was re-queued after its runner died: its earlier attempts that ended
    /// with reason stale.
    /// </summary>
    public static int StaleRequeues(JobSnapshot job)
    {
        var count = 0;
        foreach (var attempt in job.PreviousAttempts)
        {
            if (attempt.CancelReason == JobCancelReason.Stale)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Gets whether <see cref="MarkStale"/> ends <paramref name="job"/> only because it was re-queued
    /// <paramref name="maxRequeues"/> times already: it would be re-queued otherwise.
    /// </summary>
    public static bool StaleRequeueBoundReached(JobSnapshot job, bool requeue, int maxRequeues) =>
        CanRequeueStale(job, requeue) && StaleRequeues(job) >= maxRequeues;

    /// <summary>Marks an active job for removal once it stops.</summary>
    public static JobSnapshot? RequestDelete(JobSnapshot job) =>
        job.Status.IsActive() && !job.IsDeleteRequested ? job with { IsDeleteRequested = true } : null;

    public static JobSnapshot? MarkOverdue(JobSnapshot job, string runId) =>
        job.Status == JobStatus.Cancelling && job.RunId == runId && !job.IsCancellationOverdue ? job with { IsCancellationOverdue = true } : null;

    /// <summary>Applies what a running job reported, for the run that holds <paramref name="runId"/>.</summary>
    public static JobSnapshot? Report(JobSnapshot job, string runId, JobContext context) =>
        job.RunId == runId && job.Status is JobStatus.Running or JobStatus.Cancelling ? context.ApplyTo(job) : null;

    private static JobSnapshot Finish(JobSnapshot job, JobStatus outcome, DateTimeOffset now, Func<JobStatus, TimeSpan> retention)
    {
        now = NotBeforeCancelRequest(job, now);
        return job with { Status = outcome, CompletedAt = now, ExpiresAt = now + retention(outcome), RunId = null, Version = job.Version + 1 }; // a finished job has no run to fence, and keeps no token in memory
    }

    /// <summary>
    /// Gets the time a job ends: <paramref name="now"/>, or its cancel request's time when that is later. The runner reads
    /// the clock when the body returns and the sweeper before its pass, so a cancel can be written between that read and
    /// the end; a job never says it was asked to cancel after it had ended.
    /// </summary>
    private static DateTimeOffset NotBeforeCancelRequest(JobSnapshot job, DateTimeOffset now) =>
        job.CancelRequestedAt is { } asked && asked > now ? asked : now;

    private static bool CanRequeueStale(JobSnapshot job, bool requeue) =>
        requeue && job.Status == JobStatus.Running && !job.IsDeleteRequested;
}
