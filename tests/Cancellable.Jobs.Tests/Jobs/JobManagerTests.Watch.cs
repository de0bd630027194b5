using Cancellable.Jobs.Tests.Support;

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
