using FsCheck.Xunit;

namespace Cancellable.Jobs.Tests.Jobs;

/// <summary>
/// The lifecycle's rules, driven by random command sequences: every transition a rule allows is an edge of the
/// lifecycle graph, and the job's fields stay consistent with its status after every step.
/// </summary>
public sealed class JobTransitionsTests
{
    private static readonly HashSet<(JobStatus From, JobStatus To)> Edges =
    [
        (JobStatus.Pending, JobStatus.Running),
        (JobStatus.Pending, JobStatus.Cancelled),
        (JobStatus.Running, JobStatus.Cancelling),
        (JobStatus.Running, JobStatus.Completed),
        (JobStatus.Running, JobStatus.Failed),
        (JobStatus.Running, JobStatus.Cancelled),
        (JobStatus.Cancelling, JobStatus.Completed),
        (JobStatus.Cancelling, JobStatus.Failed),
        (JobStatus.Cancelling, JobStatus.Cancelled),
        (JobStatus.Failed, JobStatus.Pending),
        (JobStatus.Cancelled, JobStatus.Pending),
        (JobStatus.Running, JobStatus.Pending), // only when a stale run is re-queued
    ];

    private const int MaxStaleRequeues = 2;

    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Property(MaxTest = 500)]
    public void Transitions_RandomCommands_FollowLifecycleAndKeepInvariants(byte[] commands)
    {
        var job = new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 };
        var now = T0;
        var runs = 0;

        foreach (var command in commands)
        {
            now = now.AddSeconds(1);
            var runId = $"run-{runs}";

            // The runner reads the clock when the body returns and the sweeper before its pass, so a cancel may be
            // written between their read and their write: ends and lapses may carry a time up to 2 s old.
            var read = now.AddSeconds(-(command / 11 % 3));
            read = job.StartedAt > read ? job.StartedAt.Value : read;
            var next = (command % 11) switch
            {
                0 => JobTransitions.Start(job, now, $"run-{++runs}"),
                1 => JobTransitions.Cancel(job, now, JobCancelReason.Requested, "ann", Retention),
                2 => JobTransitions.Cancel(job, now, JobCancelReason.Timeout, null, Retention, runId),
                3 => JobTransitions.End(job, runId, JobStatus.Completed, read, Retention, null),
                4 => JobTransitions.End(job, runId, JobStatus.Failed, read, Retention, null, error: new JobError("E", "failed", StackTrace: null)),
                5 => JobTransitions.End(job, runId, JobStatus.Cancelled, read, Retention, JobCancelReason.Shutdown),
                6 => JobTransitions.Retry(job),
                7 => JobTransitions.MarkOverdue(job, runId),
                8 => JobTransitions.MarkStale(job, read, requeue: false, MaxStaleRequeues, Retention),
                9 => JobTransitions.MarkStale(job, read, requeue: true, MaxStaleRequeues, Retention),
                _ => JobTransitions.End(job, "someone-else", JobStatus.Completed, now, Retention, null),
            };

            if (next is null)
            {
                continue;
            }

            Assert.True(next.Status == job.Status || Edges.Contains((job.Status, next.Status)), $"{job.Status} → {next.Status} is not a lifecycle edge.");
            Assert.False(job.Status == JobStatus.Running && next.Status == JobStatus.Pending && JobTransitions.StaleRequeues(job) >= MaxStaleRequeues, "A stale job was re-queued past the bound.");
            Assert.Equal(job.Id, next.Id);
            job = next;
            AssertInvariants(job);
        }
    }

    [Fact]
    public void End_OtherRun_Refused()
    {
        var running = JobTransitions.Start(new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 }, T0, "run-1")!;

        Assert.Null(JobTransitions.End(running, "run-2", JobStatus.Completed, T0, Retention, null));
        Assert.Null(JobTransitions.Cancel(running, T0, JobCancelReason.Timeout, null, Retention, "run-2"));
        Assert.NotNull(JobTransitions.End(running, "run-1", JobStatus.Completed, T0, Retention, null));
    }

    [Fact]
    public void Cancel_SecondRequest_KeepsFirstReason()
    {
        var running = JobTransitions.Start(new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 }, T0, "run-1")!;
        var cancelling = JobTransitions.Cancel(running, T0, JobCancelReason.Timeout, null, Retention, "run-1")!;

        Assert.Null(JobTransitions.Cancel(cancelling, T0, JobCancelReason.Requested, "ann", Retention));
        var ended = JobTransitions.End(cancelling, "run-1", JobStatus.Cancelled, T0, Retention, JobCancelReason.Shutdown)!;
        Assert.Equal(JobCancelReason.Timeout, ended.CancelReason);
    }

    [Theory]
    [InlineData(JobStatus.Completed)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public void End_CancelWrittenAfterTheBodyReturned_EndsNoEarlierThanTheRequest(JobStatus outcome)
    {
        // The body returned at T0 + 1 s; a timeout was written at T0 + 3 s, before the end.
        var running = JobTransitions.Start(new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 }, T0, "run-1")!;
        var cancelling = JobTransitions.Cancel(running, T0.AddSeconds(3), JobCancelReason.Timeout, null, Retention, "run-1")!;

        var ended = JobTransitions.End(cancelling, "run-1", outcome, T0.AddSeconds(1), Retention, null)!;

        Assert.Equal(outcome, ended.Status);
        Assert.Equal(T0.AddSeconds(3), ended.CancelRequestedAt);
        Assert.Equal(T0.AddSeconds(3), ended.CompletedAt);
        Assert.Equal(T0.AddSeconds(3) + Retention(outcome), ended.ExpiresAt);
    }

    [Fact]
    public void End_AnyOutcome_DropsTheRunIdSoFinishedJobsRetainNoFencingToken()
    {
        var running = JobTransitions.Start(new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 }, T0, "run-1")!;

        foreach (var outcome in new[] { JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled })
        {
            var ended = JobTransitions.End(running, "run-1", outcome, T0, Retention, null)!;
            Assert.Equal(outcome, ended.Status);
            Assert.Null(ended.RunId);
        }
    }

    [Fact]
    public void MarkStale_ByDefault_EndsTheAttemptFailedWithReasonStaleAndNoRunId()
    {
        var running = JobTransitions.Start(new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 }, T0, "run-1")!;
        var now = T0.AddMinutes(2);

        var stale = JobTransitions.MarkStale(running, now, requeue: false, MaxStaleRequeues, Retention)!;

        Assert.Equal(JobStatus.Failed, stale.Status);
        Assert.Equal(JobCancelReason.Stale, stale.CancelReason);
        Assert.Equal(now, stale.CompletedAt);
        Assert.Equal(now, stale.CancelRequestedAt);
        Assert.Equal(now + Retention(JobStatus.Failed), stale.ExpiresAt);
        Assert.Equal(JobTransitions.LeaseLapsedError, stale.Error!.Type);
        Assert.Contains("run-1", stale.Error.Message, StringComparison.Ordinal);
        Assert.Null(stale.RunId);
        Assert.Equal(1, stale.Attempt);
        Assert.Null(JobTransitions.End(stale, "run-1", JobStatus.Completed, now, Retention, null));
    }

    [Fact]
    public void MarkStale_RequeueOptedIn_KeepsTheStaleAttemptAndQueuesTheNext()
    {
        var running = JobTransitions.Start(new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 }, T0, "run-1")!;
        var reported = running with { Progress = new JobProgress { Fraction = 0.5 } };
        var now = T0.AddMinutes(2);

        var requeued = JobTransitions.MarkStale(reported, now, requeue: true, MaxStaleRequeues, Retention)!;

        Assert.Equal(JobStatus.Pending, requeued.Status);
        Assert.Equal(2, requeued.Attempt);
        Assert.Null(requeued.RunId);
        Assert.Null(requeued.ExpiresAt);
        Assert.Null(requeued.CancelReason);
        Assert.Equal(JobProgress.None, requeued.Progress);
        var previous = Assert.Single(requeued.PreviousAttempts);
        Assert.Equal((1, JobStatus.Failed, JobCancelReason.Stale, now), (previous.Number, previous.Status, previous.CancelReason, previous.CompletedAt));
        Assert.Equal(JobTransitions.LeaseLapsedError, previous.Error!.Type);
        Assert.Equal(0.5, previous.Progress.Fraction);
        Assert.Null(JobTransitions.End(requeued, "run-1", JobStatus.Completed, now, Retention, null));
        Assert.Null(JobTransitions.Report(requeued, "run-1", new JobContext(requeued, new CancellableJobsOptions(), TimeProvider.System)));
    }

    [Fact]
    public void MarkStale_CancelOrDeleteAsked_EndsFailedEvenWhenRequeueOptedIn()
    {
        var running = JobTransitions.Start(new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 }, T0, "run-1")!;
        var cancelling = JobTransitions.Cancel(running, T0, JobCancelReason.Requested, "ann", Retention)!;
        var deleting = running with { IsDeleteRequested = true };

        var staleCancel = JobTransitions.MarkStale(cancelling, T0.AddMinutes(1), requeue: true, int.MaxValue, Retention)!;
        var staleDelete = JobTransitions.MarkStale(deleting, T0.AddMinutes(1), requeue: true, int.MaxValue, Retention)!;

        Assert.Equal((JobStatus.Failed, JobCancelReason.Stale, "ann", T0), (staleCancel.Status, staleCancel.CancelReason, staleCancel.CancelRequestedBy, staleCancel.CancelRequestedAt));
        Assert.Equal((JobStatus.Failed, 1, true), (staleDelete.Status, staleDelete.Attempt, staleDelete.IsDeleteRequested));
        Assert.DoesNotContain("re-queued", staleCancel.Error!.Message, StringComparison.Ordinal);
        Assert.False(JobTransitions.StaleRequeueBoundReached(cancelling, requeue: true, 0));
        Assert.False(JobTransitions.StaleRequeueBoundReached(deleting, requeue: true, 0));
    }

    [Fact]
    public void MarkStale_CancelOrDeleteAskedAfterStaleRequeues_EndsFailedUnderTheBound()
    {
        var running = Lapse(requeue: true, maxRequeues: 3, times: 2).Running!;
        var cancelling = JobTransitions.Cancel(running, T0, JobCancelReason.Requested, "ann", Retention)!;
        var deleting = running with { IsDeleteRequested = true };

        var staleCancel = JobTransitions.MarkStale(cancelling, T0.AddHours(1), requeue: true, 3, Retention)!;
        var staleDelete = JobTransitions.MarkStale(deleting, T0.AddHours(1), requeue: true, 3, Retention)!;

        Assert.Equal((JobStatus.Failed, JobCancelReason.Stale, 3), (staleCancel.Status, staleCancel.CancelReason, staleCancel.Attempt));
        Assert.Equal((JobStatus.Failed, JobCancelReason.Stale, 3), (staleDelete.Status, staleDelete.CancelReason, staleDelete.Attempt));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 0)]
    [InlineData(3, 2)]
    public void MarkStale_RequeuedFewerTimesThanTheBound_RequeuesAgain(int maxRequeues, int requeuedBefore)
    {
        var running = Lapse(requeue: true, maxRequeues, times: requeuedBefore).Running!;

        var requeued = JobTransitions.MarkStale(running, T0.AddHours(1), requeue: true, maxRequeues, Retention)!;

        Assert.Equal((JobStatus.Pending, requeuedBefore + 2), (requeued.Status, requeued.Attempt));
        Assert.Equal(requeuedBefore + 1, JobTransitions.StaleRequeues(requeued));
        Assert.False(JobTransitions.StaleRequeueBoundReached(running, requeue: true, maxRequeues));
    }

    [Fact]
    public void MarkStale_RequeuedAsManyTimesAsTheBound_EndsFailedStaleSayingItIsNotRequeuedAgain()
    {
        var running = Lapse(requeue: true, maxRequeues: 3, times: 3).Running!;
        var now = T0.AddHours(1);

        var ended = JobTransitions.MarkStale(running, now, requeue: true, 3, Retention)!;

        Assert.True(JobTransitions.StaleRequeueBoundReached(running, requeue: true, 3));
        Assert.Equal((JobStatus.Failed, JobCancelReason.Stale, 4, 3), (ended.Status, ended.CancelReason, ended.Attempt, ended.PreviousAttempts.Count));
        Assert.Equal(now + Retention(JobStatus.Failed), ended.ExpiresAt);
        Assert.Null(ended.RunId);
        Assert.Equal(JobTransitions.LeaseLapsedError, ended.Error!.Type);
        Assert.Contains("run-4", ended.Error.Message, StringComparison.Ordinal);
        Assert.Contains("re-queued 3 times after its runner died", ended.Error.Message, StringComparison.Ordinal);
        Assert.Contains("not re-queued again", ended.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkStale_BoundZero_EndsFailedAtTheFirstLapse()
    {
        var running = JobTransitions.Start(new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 }, T0, "run-1")!;

        var ended = JobTransitions.MarkStale(running, T0.AddMinutes(1), requeue: true, 0, Retention)!;

        Assert.Equal((JobStatus.Failed, JobCancelReason.Stale, 1), (ended.Status, ended.CancelReason, ended.Attempt));
        Assert.Contains("re-queued 0 times", ended.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkStale_RequeueNotOptedIn_EndsFailedWithoutMentioningTheBound()
    {
        var running = JobTransitions.Start(new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 }, T0, "run-1")!;

        var ended = JobTransitions.MarkStale(running, T0.AddMinutes(1), requeue: false, 0, Retention)!;

        Assert.Equal(JobStatus.Failed, ended.Status);
        Assert.False(JobTransitions.StaleRequeueBoundReached(running, requeue: false, 0));
        Assert.DoesNotContain("re-queued", ended.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkStale_EarlierAttemptFailedAndRetriedByUser_DoesNotCountTowardsTheBound()
    {
        var first = JobTransitions.Start(new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 }, T0, "run-1")!;
        var failed = JobTransitions.End(first, "run-1", JobStatus.Failed, T0.AddMinutes(1), Retention, null, error: new JobError("System.Exception", "boom", null))!;
        var cancelled = JobTransitions.End(JobTransitions.Start(JobTransitions.Retry(failed)!, T0.AddMinutes(2), "run-2")!, "run-2", JobStatus.Cancelled, T0.AddMinutes(3), Retention, JobCancelReason.Requested)!;
        var running = JobTransitions.Start(JobTransitions.Retry(cancelled)!, T0.AddMinutes(4), "run-3")!;

        var requeued = JobTransitions.MarkStale(running, T0.AddMinutes(5), requeue: true, 1, Retention)!;

        Assert.Equal(0, JobTransitions.StaleRequeues(running));
        Assert.Equal((JobStatus.Pending, 4), (requeued.Status, requeued.Attempt));
        var ended = JobTransitions.MarkStale(JobTransitions.Start(requeued, T0.AddMinutes(6), "run-4")!, T0.AddMinutes(7), requeue: true, 1, Retention)!;
        Assert.Equal((JobStatus.Failed, JobCancelReason.Stale), (ended.Status, ended.CancelReason));
        Assert.Contains("re-queued 1 times", ended.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkStale_UserRetryAfterTheBound_DoesNotResetTheCount()
    {
        var ended = Lapse(requeue: true, maxRequeues: 1, times: 2).Last;
        Assert.Equal(JobStatus.Failed, ended.Status);
        var retried = JobTransitions.Start(JobTransitions.Retry(ended)!, T0.AddHours(1), "run-retried")!;

        var again = JobTransitions.MarkStale(retried, T0.AddHours(2), requeue: true, 1, Retention)!;

        Assert.Equal((JobStatus.Failed, JobCancelReason.Stale, 3), (again.Status, again.CancelReason, again.Attempt));
        Assert.Contains("re-queued 2 times", again.Error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(JobStatus.Pending)]
    [InlineData(JobStatus.Completed)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public void MarkStale_JobNotActive_Refused(JobStatus status)
    {
        var job = new JobSnapshot { Id = "j", Type = "t", Status = status, CreatedAt = T0, CompletedAt = status.IsTerminal() ? T0 : null };

        Assert.Null(JobTransitions.MarkStale(job, T0, requeue: true, MaxStaleRequeues, Retention));
    }

    private static TimeSpan Retention(JobStatus status) => TimeSpan.FromMinutes((int)status);

    /// <summary>
    /// Starts a new job and lets its lease lapse <paramref name="times"/> times; returns the job running its next attempt
    /// (<see langword="null"/> once it was not re-queued) and the job after the last lapse.
    /// </summary>
    private static (JobSnapshot? Running, JobSnapshot Last) Lapse(bool requeue, int maxRequeues, int times)
    {
        var job = new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 };
        var now = T0;
        for (var i = 0; i < times; i++)
        {
            now = now.AddMinutes(1);
            job = JobTransitions.MarkStale(JobTransitions.Start(job, now, $"run-{job.Attempt}")!, now, requeue, maxRequeues, Retention)!;
        }

        return (job.Status == JobStatus.Pending ? JobTransitions.Start(job, now, $"run-{job.Attempt}") : null, job);
    }

    private static void AssertInvariants(JobSnapshot job)
    {
        // The rules every snapshot a store publishes keeps (attempts, status against times, run id and cancel fields),
        // then what only this test knows or the shared rules leave out.
        Assert.Empty(Properties.SnapshotInvariants.Check(job, int.MaxValue));
        Assert.True(job.Status != JobStatus.Pending || job.RunId is null, "A pending job holds a run id.");
        Assert.True(job.Status != JobStatus.Running || job.CancelReason is null, "A running job has a cancel reason.");
        if (job.Status.IsTerminal())
        {
            Assert.Equal(job.CompletedAt + Retention(job.Status), job.ExpiresAt);
        }

        Assert.False(job.IsCancellationOverdue && job.Status is JobStatus.Pending or JobStatus.Running, "Only a cancelling (or finished) job is overdue.");
    }
}
