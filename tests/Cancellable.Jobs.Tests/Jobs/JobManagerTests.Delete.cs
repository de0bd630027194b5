using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed partial class JobManagerTests
{
    [Fact]
    public async Task DeleteAsync_FinishedJob_AppliedAndGone()
    {
        await using var host = await JobsHost.StartAsync();
        var job = await host.StartScriptAsync((_, _) => Task.CompletedTask);
        await host.WaitForCompletionAsync(job.Id);

        var result = await host.Manager.DeleteAsync(job.Id, cancellationToken: host.Timeout);

        Assert.Equal(JobCommandOutcome.Applied, result.Outcome);
        Assert.Null(await host.Manager.GetAsync(job.Id, host.Timeout));
    }

    [Fact]
    public async Task DeleteAsync_PendingJob_AppliedAndGone()
    {
        await using var host = JobsHost.Build();
        var job = await host.StartWaitingJobAsync();

        var result = await host.Manager.DeleteAsync(job.Id, cancellationToken: host.Timeout);

        Assert.Equal(JobCommandOutcome.Applied, result.Outcome);
        Assert.Null(await host.Manager.GetAsync(job.Id, host.Timeout));
        await AssertNoJobAsync(host);
    }

    [Fact]
    public async Task DeleteAsync_RunningJob_AcceptedThenCancelledAndRemoved()
    {
        await using var host = await JobsHost.StartAsync();
        var entered = JobsHost.NewSignal();
        var job = await host.StartWaitingJobAsync(entered);
        await entered.Task.WaitAsync(host.Timeout);
        await using var watch = await host.OpenWatchAsync(job.Id);

        var result = await host.Manager.DeleteAsync(job.Id, "ann", host.Timeout);

        Assert.Equal(JobCommandOutcome.Accepted, result.Outcome);
        Assert.Equal(JobStatus.Cancelling, result.Job!.Status);
        Assert.True(result.Job.IsDeleteRequested);
        var last = await host.WaitForRemovalAsync(watch);
        Assert.NotNull(last);
        Assert.Equal((JobStatus.Cancelled, "ann"), (last.Status, last.CancelRequestedBy));
        Assert.Null(await host.Manager.GetAsync(job.Id, host.Timeout));
        Assert.False(await watch.MoveNextAsync());
    }

    [Fact]
    public async Task DeleteAsync_DeleteRequested_RetryConflicts()
    {
        await using var host = await JobsHost.StartAsync();
        var entered = JobsHost.NewSignal();
        var release = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (_, _) =>
        {
            entered.SetResult();
            await release.Task;
            throw new InvalidOperationException("ignored the token, then failed");
        });
        await entered.Task.WaitAsync(host.Timeout);
        await using var watch = await host.OpenWatchAsync(job.Id);
        await host.Manager.DeleteAsync(job.Id, cancellationToken: host.Timeout);

        Assert.Equal(JobCommandOutcome.Accepted, (await host.Manager.DeleteAsync(job.Id, cancellationToken: host.Timeout)).Outcome);
        Assert.Equal(JobCommandOutcome.Conflict, (await host.Manager.RetryAsync(job.Id, host.Timeout)).Outcome);
        release.SetResult();
        Assert.Equal(JobStatus.Failed, (await host.WaitForRemovalAsync(watch))!.Status);
    }

    [Fact]
    public async Task DeleteAsync_UnknownJob_NotFound()
    {
        await using var host = JobsHost.Build();

        Assert.Equal(JobCommandOutcome.NotFound, (await host.Manager.DeleteAsync("nope", cancellationToken: host.Timeout)).Outcome);
    }
}
