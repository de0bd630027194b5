using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed partial class JobManagerTests
{
    [Fact]
    public async Task RetryAsync_FailedJob_StartsAttemptTwoAndKeepsAttemptOne()
    {
        await using var host = await JobsHost.StartAsync();
        var job = await host.StartScriptAsync((context, _) =>
        {
            context.Info($"attempt {context.Attempt}");
            context.SetPartialResult(context.Attempt);
            return context.Attempt == 1 ? throw new InvalidOperationException("boom") : Task.CompletedTask;
        });
        var failed = await host.WaitForCompletionAsync(job.Id);
        Assert.Equal(JobStatus.Failed, failed.Status);

        var result = await host.Manager.RetryAsync(job.Id, host.Timeout);

        Assert.Equal(JobCommandOutcome.Applied, result.Outcome);
        Assert.Equal((JobStatus.Pending, 2), (result.Job!.Status, result.Job.Attempt));
        Assert.Null(result.Job.Error);
        Assert.Null(result.Job.ExpiresAt);
        var first = Assert.Single(result.Job.PreviousAttempts);
        Assert.Equal((1, JobStatus.Failed), (first.Number, first.Status));
        Assert.Equal(("System.InvalidOperationException", "boom"), (first.Error!.Type, first.Error.Message));
        Assert.Equal("attempt 1", Assert.Single(first.Messages).Text);
        Assert.Equal(1, first.PartialResult!.Value.GetInt32());
        Assert.Equal(failed.CompletedAt, first.CompletedAt);

        var second = await host.WaitForCompletionAsync(job.Id);
        Assert.Equal((JobStatus.Completed, 2, job.Id), (second.Status, second.Attempt, second.Id));
        Assert.Equal("attempt 2", Assert.Single(second.Messages).Text);
        Assert.Equal(2, second.PartialResult!.Value.GetInt32());
        Assert.Single(second.PreviousAttempts);
    }

    [Fact]
    public async Task RetryAsync_CancelledJob_StartsAttemptTwoAndKeepsCancelReason()
    {
        await using var host = JobsHost.Build();
        var job = await host.StartWaitingJobAsync();
        await host.Manager.CancelAsync(job.Id, "ann", host.Timeout);

        var result = await host.Manager.RetryAsync(job.Id, host.Timeout);

        Assert.Equal(JobCommandOutcome.Applied, result.Outcome);
        Assert.Equal((JobStatus.Pending, 2), (result.Job!.Status, result.Job.Attempt));
        Assert.Null(result.Job.CancelReason);
        Assert.Null(result.Job.CancelRequestedBy);
        var first = Assert.Single(result.Job.PreviousAttempts);
        Assert.Equal((JobStatus.Cancelled, JobCancelReason.Requested), (first.Status, first.CancelReason));
    }

    [Fact]
    public async Task RetryAsync_CompletedJob_Conflict()
    {
        await using var host = await JobsHost.StartAsync();
        var job = await host.StartScriptAsync((_, _) => Task.CompletedTask);
        await host.WaitForCompletionAsync(job.Id);

        var result = await host.Manager.RetryAsync(job.Id, host.Timeout);

        Assert.Equal(JobCommandOutcome.Conflict, result.Outcome);
        Assert.Equal((JobStatus.Completed, 1), (result.Job!.Status, result.Job.Attempt));
    }

    [Fact]
    public async Task RetryAsync_PendingJob_Conflict()
    {
        await using var host = JobsHost.Build();
        var job = await host.StartWaitingJobAsync();

        var result = await host.Manager.RetryAsync(job.Id, host.Timeout);

        Assert.Equal(JobCommandOutcome.Conflict, result.Outcome);
        Assert.Equal(1, (await host.Manager.GetAsync(job.Id, host.Timeout))!.Attempt);
    }

    [Fact]
    public async Task RetryAsync_RunningJob_Conflict()
    {
        await using var host = await JobsHost.StartAsync();
        var entered = JobsHost.NewSignal();
        var job = await host.StartWaitingJobAsync(entered);
        await entered.Task.WaitAsync(host.Timeout);

        var result = await host.Manager.RetryAsync(job.Id, host.Timeout);

        Assert.Equal(JobCommandOutcome.Conflict, result.Outcome);
        Assert.Equal(JobStatus.Running, result.Job!.Status);
    }

    [Fact]
    public async Task RetryAsync_UnknownJob_NotFound()
    {
        await using var host = JobsHost.Build();

        Assert.Equal(JobCommandOutcome.NotFound, (await host.Manager.RetryAsync("nope", host.Timeout)).Outcome);
    }

    [Fact]
    public async Task RetryAsync_MaxPendingJobsReached_ThrowsQueueFullAndKeepsJob()
    {
        await using var host = JobsHost.Build(options => options.MaxPendingJobs = 1);
        var cancelled = await host.StartWaitingJobAsync();
        await host.Manager.CancelAsync(cancelled.Id, cancellationToken: host.Timeout);
        await host.StartWaitingJobAsync();

        var ex = await Assert.ThrowsAsync<JobQueueFullException>(async () => await host.Manager.RetryAsync(cancelled.Id, host.Timeout));

        Assert.Equal((cancelled.Id, 1), (ex.JobId, ex.MaxPendingJobs));

        var stored = await host.Manager.GetAsync(cancelled.Id, host.Timeout);
        Assert.Equal((JobStatus.Cancelled, 1), (stored!.Status, stored.Attempt));
        Assert.Equal(1, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Pending);
    }
}
