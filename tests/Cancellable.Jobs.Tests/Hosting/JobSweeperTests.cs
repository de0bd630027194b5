using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Hosting;

public sealed class JobSweeperTests
{
    private static readonly Dictionary<JobStatus, TimeSpan> Retention = new()
    {
        [JobStatus.Completed] = TimeSpan.FromSeconds(10),
        [JobStatus.Failed] = TimeSpan.FromSeconds(20),
        [JobStatus.Cancelled] = TimeSpan.FromSeconds(40),
    };

    [Theory]
    [InlineData(JobStatus.Completed)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task ExecuteAsync_FinishedJob_RemovedWhenRetentionOfItsStatusPassed(JobStatus status)
    {
        await using var host = await JobsHost.StartAsync(options =>
        {
            options.CompletedRetention = Retention[JobStatus.Completed];
            options.FailedRetention = Retention[JobStatus.Failed];
            options.CancelledRetention = Retention[JobStatus.Cancelled];
        });
        var finished = await FinishJobAsync(host, status);
        Assert.Equal(status, finished.Status);
        Assert.Equal(finished.CompletedAt + Retention[status], finished.ExpiresAt);

        // The sweeper sleeps exactly until the expiry (each retention is distinct from every other timer here).
        await host.Time.WaitForTimerAsync(Retention[status], cancellationToken: host.Timeout);
        await using var watch = await host.OpenWatchAsync(finished.Id);
        host.Time.Advance(Retention[status]);
        var removed = await host.WaitForRemovalAsync(watch);

        Assert.Equal(finished.Id, removed!.Id);
        Assert.Equal(finished.ExpiresAt, host.Time.GetUtcNow());
        Assert.Null(await host.Manager.GetAsync(finished.Id, host.Timeout));
    }

    [Fact]
    public async Task Notify_JobExpiringBeforeThePlannedSweep_SweeperWakesForIt()
    {
        await using var host = await JobsHost.StartAsync(options =>
        {
            options.CompletedRetention = Retention[JobStatus.Completed];
            options.CancelledRetention = Retention[JobStatus.Cancelled];
        });
        var cancelled = await FinishJobAsync(host, JobStatus.Cancelled);
        await host.Time.WaitForTimerAsync(Retention[JobStatus.Cancelled], cancellationToken: host.Timeout);

        // The sweeper sleeps until the cancelled job expires; a job that expires sooner must cut that sleep short.
        var completed = await FinishJobAsync(host, JobStatus.Completed);
        await host.Time.WaitForTimerAsync(Retention[JobStatus.Completed], cancellationToken: host.Timeout);
        await using var watch = await host.OpenWatchAsync(completed.Id);
        host.Time.Advance(Retention[JobStatus.Completed]);

        Assert.Equal(completed.Id, (await host.WaitForRemovalAsync(watch))!.Id);
        Assert.NotNull(await host.Manager.GetAsync(cancelled.Id, host.Timeout));
    }

    [Fact]
    public async Task ExecuteAsync_ZeroRetention_RemovedAsSoonAsFinished()
    {
        await using var host = await JobsHost.StartAsync(options => options.CompletedRetention = TimeSpan.Zero);
        var entered = JobsHost.NewSignal();
        var release = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (_, _) =>
        {
            entered.SetResult();
            await release.Task;
        });
        await entered.Task.WaitAsync(host.Timeout);
        await using var watch = await host.OpenWatchAsync(job.Id);

        release.SetResult();
        var removed = await host.WaitForRemovalAsync(watch);

        Assert.Equal(JobStatus.Completed, removed!.Status);
        Assert.Equal(removed.CompletedAt, removed.ExpiresAt);
    }

    [Fact]
    public async Task ExecuteAsync_MoreFinishedThanMaxRetainedJobs_EvictsOldestFinishedFirst()
    {
        await using var host = await JobsHost.StartAsync(options => options.MaxRetainedJobs = 2);
        var (jobs, entered, release) = await host.StartGatedAsync(4);

        await Task.WhenAll(entered.Select(e => e.Task)).WaitAsync(host.Timeout);
        await using var watchB = await host.OpenWatchAsync(jobs[1].Id);
        await using var watchA = await host.OpenWatchAsync(jobs[0].Id);

        // Finish B, then A, then C: B is the oldest finished although A is the oldest created.
        foreach (var n in new[] { 1, 0, 2 })
        {
            release[n].SetResult();
            await host.WaitForCompletionAsync(jobs[n].Id);
            host.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(jobs[1].Id, (await host.WaitForRemovalAsync(watchB))!.Id);
        Assert.NotNull(await host.Manager.GetAsync(jobs[0].Id, host.Timeout));
        Assert.NotNull(await host.Manager.GetAsync(jobs[2].Id, host.Timeout));
        Assert.Equal(JobStatus.Running, (await host.Manager.GetAsync(jobs[3].Id, host.Timeout))!.Status);

        release[3].SetResult();
        Assert.Equal(jobs[0].Id, (await host.WaitForRemovalAsync(watchA))!.Id);
        Assert.NotNull(await host.Manager.GetAsync(jobs[2].Id, host.Timeout));
        Assert.NotNull(await host.Manager.GetAsync(jobs[3].Id, host.Timeout));
    }

    private static async Task<JobSnapshot> FinishJobAsync(JobsHost host, JobStatus status)
    {
        switch (status)
        {
            case JobStatus.Completed:
                return await host.WaitForCompletionAsync((await host.StartScriptAsync((_, _) => Task.CompletedTask)).Id);
            case JobStatus.Failed:
                return await host.WaitForCompletionAsync((await host.StartScriptAsync((_, _) => throw new InvalidOperationException("x"))).Id);
            default:
                var entered = JobsHost.NewSignal();
                var job = await host.StartWaitingJobAsync(entered);
                await entered.Task.WaitAsync(host.Timeout);
                await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout);
                return await host.WaitForCompletionAsync(job.Id);
        }
    }
}
