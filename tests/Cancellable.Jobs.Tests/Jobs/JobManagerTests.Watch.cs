using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed partial class JobManagerTests
{
    [Fact]
    public async Task WaitForCompletionAsync_UnknownJob_ReturnsNull()
    {
        await using var host = JobsHost.Build();

        Assert.Null(await host.Manager.WaitForCompletionAsync("nope", host.Timeout));
    }

    [Fact]
    public async Task WaitForCompletionAsync_RunningJob_ReturnsTerminalState()
    {
        await using var host = await JobsHost.StartAsync();
        var entered = JobsHost.NewSignal();
        var release = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (context, _) =>
        {
            entered.SetResult();
            await release.Task;
            context.Info("done");
        });
        await entered.Task.WaitAsync(host.Timeout);

        var wait = host.Manager.WaitForCompletionAsync(job.Id, host.Timeout).AsTask();
        Assert.False(wait.IsCompleted);
        release.SetResult();
        var done = await wait;

        Assert.Equal(JobStatus.Completed, done!.Status);
        Assert.Equal("done", Assert.Single(done.Messages).Text);
    }

    [Fact]
    public async Task WaitForCompletionAsync_RemovedBeforeFinishing_ReturnsNull()
    {
        await using var host = JobsHost.Build();
        var job = await host.StartWaitingJobAsync();
        await using var watch = await host.OpenWatchAsync(job.Id);
        var wait = host.Manager.WaitForCompletionAsync(job.Id, host.Timeout).AsTask();

        await host.Manager.DeleteAsync(job.Id, cancellationToken: host.Timeout);

        Assert.Null(await wait);
    }

    [Fact]
    public async Task WaitForCompletionAsync_TokenFires_Throws()
    {
        await using var host = JobsHost.Build();
        var job = await host.StartWaitingJobAsync();
        using var stop = new CancellationTokenSource();

        var wait = host.Manager.WaitForCompletionAsync(job.Id, stop.Token).AsTask();
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public async Task WatchAsync_Filter_StreamsOnlyMatchingChanges()
    {
        await using var host = JobsHost.Build();
        await using var watch = host.Manager.WatchAsync(new JobFilter { Tag = "mine" }, host.Timeout).GetAsyncEnumerator(host.Timeout);
        var next = watch.MoveNextAsync().AsTask();

        await host.StartWaitingJobAsync(options: new JobStartOptions { Tags = ["other"] });
        var mine = await host.StartWaitingJobAsync(options: new JobStartOptions { Tags = ["mine"] });
        await host.Manager.CancelAsync(mine.Id, cancellationToken: host.Timeout);
        await host.Manager.DeleteAsync(mine.Id, cancellationToken: host.Timeout);

        Assert.True(await next);
        Assert.Equal((JobChangeKind.Created, mine.Id), (watch.Current.Kind, watch.Current.Job.Id));
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((JobChangeKind.Updated, JobStatus.Cancelled), (watch.Current.Kind, watch.Current.Job.Status));
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((JobChangeKind.Removed, mine.Id), (watch.Current.Kind, watch.Current.Job.Id));
    }

    /// <summary>
    /// A watcher of Running jobs saw jobs become Running but never leave it: the change to Completed did not match the
    /// filter, so a UI watching running jobs showed them running for good.
    /// </summary>
    [Fact]
    public async Task WatchAsync_StatusFilter_ReportsJobLeavingTheStatus()
    {
        await using var host = await JobsHost.StartAsync();
        await using var watch = host.Manager.WatchAsync(new JobFilter { Status = JobStatus.Running }, host.Timeout).GetAsyncEnumerator(host.Timeout);
        var next = watch.MoveNextAsync().AsTask();

        var gated = await host.StartGatedAsync(1);
        var job = gated.Jobs[0];

        Assert.True(await next);
        Assert.Equal((JobChangeKind.Updated, job.Id, JobStatus.Running, (JobStatus?)JobStatus.Pending), (watch.Current.Kind, watch.Current.Job.Id, watch.Current.Job.Status, watch.Current.PreviousStatus));
        gated.Release[0].SetResult();
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((JobChangeKind.Updated, job.Id, JobStatus.Completed, (JobStatus?)JobStatus.Running), (watch.Current.Kind, watch.Current.Job.Id, watch.Current.Job.Status, watch.Current.PreviousStatus));
    }

    [Fact]
    public async Task WatchAsync_StatusFilter_ReportsEachStatusACancelledJobLeaves()
    {
        await using var host = await JobsHost.StartAsync();
        await using var running = host.Manager.WatchAsync(new JobFilter { Status = JobStatus.Running }, host.Timeout).GetAsyncEnumerator(host.Timeout);
        await using var cancelling = host.Manager.WatchAsync(new JobFilter { Status = JobStatus.Cancelling }, host.Timeout).GetAsyncEnumerator(host.Timeout);
        var nextRunning = running.MoveNextAsync().AsTask();
        var nextCancelling = cancelling.MoveNextAsync().AsTask();
        var entered = JobsHost.NewSignal();
        var job = await host.StartWaitingJobAsync(entered);
        await entered.Task.WaitAsync(host.Timeout);

        await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout);
        Assert.Equal(JobStatus.Cancelled, (await host.WaitForCompletionAsync(job.Id)).Status);

        // A running job is cancelled through Cancelling: that change takes it out of Running, the next out of Cancelling.
        Assert.True(await nextRunning);
        Assert.Equal((JobStatus.Running, (JobStatus?)JobStatus.Pending), (running.Current.Job.Status, running.Current.PreviousStatus));
        Assert.True(await running.MoveNextAsync());
        Assert.Equal((JobStatus.Cancelling, (JobStatus?)JobStatus.Running), (running.Current.Job.Status, running.Current.PreviousStatus));
        Assert.True(await nextCancelling);
        Assert.Equal((JobStatus.Cancelling, (JobStatus?)JobStatus.Running), (cancelling.Current.Job.Status, cancelling.Current.PreviousStatus));
        Assert.True(await cancelling.MoveNextAsync());
        Assert.Equal((JobStatus.Cancelled, (JobStatus?)JobStatus.Cancelling), (cancelling.Current.Job.Status, cancelling.Current.PreviousStatus));

        // The end from Cancelling is no change into or out of Running: the Running watcher's next change is another job's.
        var other = await host.StartScriptAsync((_, _) => Task.CompletedTask);
        Assert.True(await running.MoveNextAsync());
        Assert.Equal((other.Id, JobStatus.Running), (running.Current.Job.Id, running.Current.Job.Status));
    }

    [Fact]
    public async Task WatchAsync_TypeFilter_StreamsEveryChangeOfJobsOfThatType()
    {
        await using var host = await JobsHost.StartAsync(jobs: jobs => jobs.AddJob<OrderJob, OrderInput>(OrderType));
        await using var watch = host.Manager.WatchAsync(new JobFilter { Type = OrderType }, host.Timeout).GetAsyncEnumerator(host.Timeout);
        var next = watch.MoveNextAsync().AsTask();

        var script = await host.StartScriptAsync((_, _) => Task.CompletedTask);
        var order = await host.Manager.StartAsync(OrderType, new OrderInput { Name = "ok" }, cancellationToken: host.Timeout);
        await host.WaitForCompletionAsync(script.Id);

        var seen = new List<JobChange>();
        Assert.True(await next);
        seen.Add(watch.Current);
        while (seen[^1].Job.Status != JobStatus.Completed)
        {
            Assert.True(await watch.MoveNextAsync());
            seen.Add(watch.Current);
        }

        Assert.Equal(
            [
                (JobChangeKind.Created, order.Id, JobStatus.Pending, (JobStatus?)null),
                (JobChangeKind.Updated, order.Id, JobStatus.Running, JobStatus.Pending),
                (JobChangeKind.Updated, order.Id, JobStatus.Completed, JobStatus.Running),
            ],
            seen.Select(c => (c.Kind, c.Job.Id, c.Job.Status, c.PreviousStatus)));
    }

    [Fact]
    public async Task WatchAsync_JobId_StartsWithCurrentStateAndEndsOnRemoval()
    {
        await using var host = JobsHost.Build();
        var job = await host.StartWaitingJobAsync();
        await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout);
        await using var watch = host.Manager.WatchAsync(job.Id, host.Timeout).GetAsyncEnumerator(host.Timeout);

        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((JobChangeKind.Updated, JobStatus.Cancelled, 2L), (watch.Current.Kind, watch.Current.Job.Status, watch.Current.Job.Version));

        await host.Manager.RetryAsync(job.Id, host.Timeout);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((JobStatus.Pending, 2), (watch.Current.Job.Status, watch.Current.Job.Attempt));

        await host.Manager.DeleteAsync(job.Id, cancellationToken: host.Timeout);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(JobChangeKind.Removed, watch.Current.Kind);
        Assert.False(await watch.MoveNextAsync());
    }

    [Fact]
    public async Task WatchAsync_UnknownJobId_EndsAtOnce()
    {
        await using var host = JobsHost.Build();

        await foreach (var change in host.Manager.WatchAsync("nope", host.Timeout))
        {
            Assert.Fail($"Unexpected change {change.Kind}.");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(JobQuery.MaxPageSize + 1)]
    public async Task ListAsync_PageSizeOutOfRange_Throws(int pageSize)
    {
        await using var host = JobsHost.Build();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await host.Manager.ListAsync(new JobQuery { PageSize = pageSize }, host.Timeout));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(JobQuery.MaxPageSize)]
    public async Task ListAsync_PageSizeInRange_ListsNewestFirst(int pageSize)
    {
        await using var host = JobsHost.Build();
        var older = await host.StartWaitingJobAsync();
        var newer = await host.StartWaitingJobAsync();

        var page = await host.Manager.ListAsync(new JobQuery { PageSize = pageSize }, host.Timeout);

        Assert.Equal(new[] { newer.Id, older.Id }.Take(pageSize), page.Items.Select(j => j.Id));
        Assert.Equal(pageSize == 1, page.ContinuationToken is not null);
    }

    [Fact]
    public async Task ListAsync_BadContinuationToken_ThrowsArgumentException()
    {
        await using var host = JobsHost.Build();
        await host.StartWaitingJobAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Manager.ListAsync(new JobQuery { ContinuationToken = "garbage" }, host.Timeout));
    }
}
