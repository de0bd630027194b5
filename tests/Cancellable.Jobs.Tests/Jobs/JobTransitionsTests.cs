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
            var next = (command % 9) switch
            {
                0 => JobTransitions.Start(job, now, $"run-{++runs}"),
                1 => JobTransitions.Cancel(job, now, JobCancelReason.Requested, "ann", Retention),
                2 => JobTransitions.Cancel(job, now, JobCancelReason.Timeout, null, Retention, runId),
                3 => JobTransitions.End(job, runId, JobStatus.Completed, now, Retention, null),
                4 => JobTransitions.End(job, runId, JobStatus.Failed, now, Retention, null),
                5 => JobTransitions.End(job, runId, JobStatus.Cancelled, now, Retention, JobCancelReason.Shutdown),
                6 => JobTransitions.Retry(job),
                7 => JobTransitions.MarkOverdue(job, runId),
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
