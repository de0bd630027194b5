using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed partial class JobManagerTests
{
    [Fact]
    public async Task CancelAsync_PendingJob_AppliedCancelledWithReasonAndRequester()
    {
        await using var host = JobsHost.Build();
        var job = await host.StartWaitingJobAsync();
        host.Time.Advance(TimeSpan.FromSeconds(5));

        var result = await host.Manager.CancelAsync(job.Id, "ann", host.Timeout);

        Assert.Equal(JobCommandOutcome.Applied, result.Outcome);
        var stored = await host.Manager.GetAsync(job.Id, host.Timeout);
        Assert.Equal((JobStatus.Cancelled, JobCancelReason.Requested, "ann"), (stored!.Status, stored.CancelReason, stored.CancelRequestedBy));
        Assert.Equal(host.Time.GetUtcNow(), stored.CancelRequestedAt);
        Assert.Equal(host.Time.GetUtcNow(), stored.CompletedAt);
        Assert.Null(stored.StartedAt);
        Assert.Equal(stored.Version, result.Job!.Version);
    }

    [Fact]
    public async Task CancelAsync_RunningJob_AcceptedThenCancelledOnceCodeStopped()
    {
        await using var host = await JobsHost.StartAsync();
        var entered = JobsHost.NewSignal();
        var stopped = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (_, ct) =>
        {
            entered.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                stopped.SetResult();
            }
        });
        await entered.Task.WaitAsync(host.Timeout);

        var result = await host.Manager.CancelAsync(job.Id, "ann", host.Timeout);

        Assert.Equal(JobCommandOutcome.Accepted, result.Outcome);
        Assert.Equal(JobStatus.Cancelling, result.Job!.Status);
        var done = await host.WaitForCompletionAsync(job.Id);
        Assert.True(stopped.Task.IsCompleted);
        Assert.Equal((JobStatus.Cancelled, JobCancelReason.Requested, "ann"), (done.Status, done.CancelReason, done.CancelRequestedBy));
    }

    [Fact]
    public async Task CancelAsync_AlreadyCancelling_AcceptedAndFirstRequesterKept()
    {
        await using var host = await JobsHost.StartAsync();
        var entered = JobsHost.NewSignal();
        var release = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (_, _) =>
        {
            entered.SetResult();
            await release.Task;
        });
        await entered.Task.WaitAsync(host.Timeout);
        await host.Manager.CancelAsync(job.Id, "ann", host.Timeout);

        var again = await host.Manager.CancelAsync(job.Id, "bob", host.Timeout);

        Assert.Equal(JobCommandOutcome.Accepted, again.Outcome);
        Assert.Equal("ann", again.Job!.CancelRequestedBy);
        release.SetResult();
        Assert.Equal("ann", (await host.WaitForCompletionAsync(job.Id)).CancelRequestedBy);
    }

    [Fact]
    public async Task CancelAsync_FinishedJob_ConflictShowingState()
    {
        await using var host = await JobsHost.StartAsync();
        var job = await host.StartScriptAsync((_, _) => Task.CompletedTask);
        await host.WaitForCompletionAsync(job.Id);

        var result = await host.Manager.CancelAsync(job.Id, "ann", host.Timeout);

        Assert.Equal(JobCommandOutcome.Conflict, result.Outcome);
        Assert.Equal(JobStatus.Completed, result.Job!.Status);
        Assert.Null((await host.Manager.GetAsync(job.Id, host.Timeout))!.CancelRequestedBy);
    }

    [Fact]
    public async Task CancelAsync_UnknownJob_NotFound()
    {
        await using var host = JobsHost.Build();

        var result = await host.Manager.CancelAsync("nope", cancellationToken: host.Timeout);

        Assert.Equal(JobCommandOutcome.NotFound, result.Outcome);
        Assert.Null(result.Job);
    }

    [Fact]
    public async Task CancelAllAsync_TagFilter_CancelsOnlyMatchingJobsAndCountsThem()
    {
        await using var host = JobsHost.Build();
        var matching = new List<JobSnapshot>();
        for (var i = 0; i < 3; i++)
        {
            matching.Add(await host.StartWaitingJobAsync(options: new JobStartOptions { Tags = ["project:1"] }));
        }

        var other = await host.StartWaitingJobAsync(options: new JobStartOptions { Tags = ["project:2"] });
        var untagged = await host.StartWaitingJobAsync();

        var count = await host.Manager.CancelAllAsync(new JobFilter { Tag = "project:1" }, "ops", host.Timeout);

        Assert.Equal(3, count);
        foreach (var job in matching)
        {
            var stored = await host.Manager.GetAsync(job.Id, host.Timeout);
            Assert.Equal((JobStatus.Cancelled, "ops"), (stored!.Status, stored.CancelRequestedBy));
        }

        Assert.Equal(JobStatus.Pending, (await host.Manager.GetAsync(other.Id, host.Timeout))!.Status);
        Assert.Equal(JobStatus.Pending, (await host.Manager.GetAsync(untagged.Id, host.Timeout))!.Status);
    }

    [Fact]
    public async Task CancelAllAsync_NoFilter_CancelsRunningAndPendingJobs()
    {
        await using var host = await JobsHost.StartAsync(options => options.MaxConcurrentJobs = 1);
        var entered = JobsHost.NewSignal();
        var running = await host.StartWaitingJobAsync(entered);
        await entered.Task.WaitAsync(host.Timeout);
        var queued = await host.StartWaitingJobAsync();
        var queuedQuick = await host.StartScriptAsync((_, _) => Task.CompletedTask);

        var count = await host.Manager.CancelAllAsync(cancellationToken: host.Timeout);

        Assert.Equal(3, count);
        Assert.Equal(JobStatus.Cancelled, (await host.WaitForCompletionAsync(running.Id)).Status);
        Assert.Equal(JobStatus.Cancelled, (await host.WaitForCompletionAsync(queued.Id)).Status);
        Assert.Equal(JobStatus.Cancelled, (await host.WaitForCompletionAsync(queuedQuick.Id)).Status);
    }

    [Fact]
    public async Task CancelAllAsync_TypeAndOwnerFilter_LeavesOthersAlone()
    {
        await using var host = BuildOrderHost();
        var mine = await host.StartWaitingJobAsync(options: new JobStartOptions { Owner = "ann" });
        var bobs = await host.StartWaitingJobAsync(options: new JobStartOptions { Owner = "bob" });
        var order = await host.Manager.StartAsync(OrderType, new OrderInput { Name = "ok" }, new JobStartOptions { Owner = "ann" }, host.Timeout);

        var count = await host.Manager.CancelAllAsync(new JobFilter { Type = JobsHost.ScriptType, Owner = "ann" }, cancellationToken: host.Timeout);

        Assert.Equal(1, count);
        Assert.Equal(JobStatus.Cancelled, (await host.Manager.GetAsync(mine.Id, host.Timeout))!.Status);
        Assert.Equal(JobStatus.Pending, (await host.Manager.GetAsync(bobs.Id, host.Timeout))!.Status);
        Assert.Equal(JobStatus.Pending, (await host.Manager.GetAsync(order.Id, host.Timeout))!.Status);
    }

    [Fact]
    public async Task CancelAllAsync_TerminalStatusFilter_CancelsNothing()
    {
        await using var host = JobsHost.Build();
        var job = await host.StartWaitingJobAsync();

        Assert.Equal(0, await host.Manager.CancelAllAsync(new JobFilter { Status = JobStatus.Completed }, cancellationToken: host.Timeout));
        Assert.Equal(JobStatus.Pending, (await host.Manager.GetAsync(job.Id, host.Timeout))!.Status);
    }
}
