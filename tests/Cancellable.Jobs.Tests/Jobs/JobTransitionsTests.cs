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
            var next = (command % 11) switch
            {
                0 => JobTransitions.Start(job, now, $"run-{++runs}"),
                1 => JobTransitions.Cancel(job, now, JobCancelReason.Requested, "ann", Retention),
                2 => JobTransitions.Cancel(job, now, JobCancelReason.Timeout, null, Retention, runId),
                3 => JobTransitions.End(job, runId, JobStatus.Completed, now, Retention, null),
                4 => JobTransitions.End(job, runId, JobStatus.Failed, now, Retention, null),
                5 => JobTransitions.End(job, runId, JobStatus.Cancelled, now, Retention, JobCancelReason.Shutdown),
                6 => JobTransitions.Retry(job),
                7 => JobTransitions.MarkOverdue(job, runId),
                8 => JobTransitions.MarkStale(job, now, requeue: false, Retention),
                9 => JobTransitions.MarkStale(job, now, requeue: true, Retention),
                _ => JobTransitions.End(job, "someone-else", JobStatus.Completed, now, Retention, null),
            };

            if (next is null)
            {
                continue;
            }

            Assert.True(next.Status == job.Status || Edges.Contains((job.Status, next.Status)), $"{job.Status} → {next.Status} is not a lifecycle edge.");
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

        var stale = JobTransitions.MarkStale(running, now, requeue: false, Retention)!;

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

        var requeued = JobTransitions.MarkStale(reported, now, requeue: true, Retention)!;

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

        var staleCancel = JobTransitions.MarkStale(cancelling, T0.AddMinutes(1), requeue: true, Retention)!;
        var staleDelete = JobTransitions.MarkStale(deleting, T0.AddMinutes(1), requeue: true, Retention)!;

        Assert.Equal((JobStatus.Failed, JobCancelReason.Stale, "ann", T0), (staleCancel.Status, staleCancel.CancelReason, staleCancel.CancelRequestedBy, staleCancel.CancelRequestedAt));
        Assert.Equal((JobStatus.Failed, 1, true), (staleDelete.Status, staleDelete.Attempt, staleDelete.IsDeleteRequested));
    }

    [Theory]
    [InlineData(JobStatus.Pending)]
    [InlineData(JobStatus.Completed)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public void MarkStale_JobNotActive_Refused(JobStatus status)
    {
        var job = new JobSnapshot { Id = "j", Type = "t", Status = status, CreatedAt = T0, CompletedAt = status.IsTerminal() ? T0 : null };

        Assert.Null(JobTransitions.MarkStale(job, T0, requeue: true, Retention));
    }

    private static TimeSpan Retention(JobStatus status) => TimeSpan.FromMinutes((int)status);

    private static void AssertInvariants(JobSnapshot job)
    {
        Assert.Equal(job.PreviousAttempts.Count + 1, job.Attempt);
        Assert.Equal(Enumerable.Range(1, job.PreviousAttempts.Count), job.PreviousAttempts.Select(a => a.Number));
        Assert.All(job.PreviousAttempts, a => Assert.True(a.Status is JobStatus.Failed or JobStatus.Cancelled));
        switch (job.Status)
        {
            case JobStatus.Pending:
                Assert.Null(job.StartedAt);
                Assert.Null(job.RunId);
                Assert.Null(job.CompletedAt);
                Assert.Null(job.ExpiresAt);
                Assert.Null(job.Error);
                break;
            case JobStatus.Running:
                Assert.NotNull(job.StartedAt);
                Assert.NotNull(job.RunId);
                Assert.Null(job.CancelReason);
                Assert.Null(job.ExpiresAt);
                break;
            case JobStatus.Cancelling:
                Assert.NotNull(job.RunId);
                Assert.NotNull(job.CancelReason);
                Assert.NotNull(job.CancelRequestedAt);
                Assert.Null(job.ExpiresAt);
                break;
            default:
                Assert.NotNull(job.CompletedAt);
                Assert.Equal(job.CompletedAt + Retention(job.Status), job.ExpiresAt);
                if (job.Status == JobStatus.Cancelled)
                {
                    Assert.NotNull(job.CancelReason);
                    Assert.NotNull(job.CancelRequestedAt);
                }

                break;
        }

        Assert.False(job.IsCancellationOverdue && job.Status is JobStatus.Pending or JobStatus.Running, "Only a cancelling (or finished) job is overdue.");
    }
}
