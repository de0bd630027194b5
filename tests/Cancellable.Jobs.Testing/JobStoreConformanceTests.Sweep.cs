namespace Cancellable.Jobs.Testing;

public abstract partial class JobStoreConformanceTests
{
    [Fact]
    public async Task RemoveExpiredAsync_ExpiredJobs_RemovesSoonestFirstUpToMaxCount()
    {
        var third = await CreateFinishedAsync(JobStatus.Completed, Now, Now.AddSeconds(3));
        var first = await CreateFinishedAsync(JobStatus.Failed, Now, Now.AddSeconds(1));
        var second = await CreateFinishedAsync(JobStatus.Cancelled, Now, Now.AddSeconds(2));
        var later = await CreateFinishedAsync(JobStatus.Completed, Now, Now.AddSeconds(5));
        var active = await MoveAsync(await CreateAsync(), JobStatus.Running);

        var batch1 = await Store.RemoveExpiredAsync(Now.AddSeconds(3), maxCount: 2);
        var batch2 = await Store.RemoveExpiredAsync(Now.AddSeconds(3), maxCount: 10);
        var batch3 = await Store.RemoveExpiredAsync(Now.AddSeconds(3), maxCount: 10);

        Assert.Equal([first.Id, second.Id], batch1.Select(j => j.Id));
        Assert.Equal([third.Id], batch2.Select(j => j.Id));
        Assert.Empty(batch3);
        Assert.Null(await Store.GetAsync(first.Id));
        Assert.Null(await Store.GetAsync(third.Id));
        Assert.NotNull(await Store.GetAsync(later.Id));
        Assert.NotNull(await Store.GetAsync(active.Id));
    }

    [Fact]
    public async Task RemoveExpiredAsync_NothingDue_RemovesNothing()
    {
        var job = await CreateFinishedAsync(JobStatus.Completed, Now, Now.AddMinutes(1));

        Assert.Empty(await Store.RemoveExpiredAsync(Now.AddMinutes(1).AddMilliseconds(-1), 10));
        Assert.NotNull(await Store.GetAsync(job.Id));
    }

    [Fact]
    public async Task RemoveExpiredAsync_RemovedJobs_LeaveStatistics()
    {
        await CreateFinishedAsync(JobStatus.Completed, Now, Now);
        await CreateFinishedAsync(JobStatus.Completed, Now, Now.AddHours(1));

        await Store.RemoveExpiredAsync(Now, 10);

        Assert.Equal(1, (await Store.GetStatisticsAsync(JobGrouping.None, null)).Overall.Completed);
    }

    [Fact]
    public async Task TrimFinishedAsync_MoreFinishedThanKept_RemovesOldestCompletedFirst()
    {
        // Completion order differs from creation order: trimming goes by CompletedAt.
        var newest = await CreateFinishedAsync(JobStatus.Completed, Now.AddSeconds(30));
        var oldest = await CreateFinishedAsync(JobStatus.Failed, Now.AddSeconds(10));
        var middle = await CreateFinishedAsync(JobStatus.Cancelled, Now.AddSeconds(20));
        var pending = await CreateAsync();
        var running = await MoveAsync(await CreateAsync(), JobStatus.Running);
        var cancelling = await MoveAsync(await CreateAsync(), JobStatus.Cancelling);

        var removed = await Store.TrimFinishedAsync(keep: 1);

        Assert.Equal([oldest.Id, middle.Id], removed.Select(j => j.Id));
        Assert.NotNull(await Store.GetAsync(newest.Id));
        Assert.NotNull(await Store.GetAsync(pending.Id));
        Assert.NotNull(await Store.GetAsync(running.Id));
        Assert.NotNull(await Store.GetAsync(cancelling.Id));
    }

    [Fact]
    public async Task TrimFinishedAsync_KeepZero_RemovesEveryFinishedJobAndNoActiveOne()
    {
        await CreateFinishedAsync(JobStatus.Completed, Now);
        await CreateFinishedAsync(JobStatus.Failed, Now);
        await CreateAsync();
        await MoveAsync(await CreateAsync(), JobStatus.Running);

        var removed = await Store.TrimFinishedAsync(keep: 0);

        Assert.Equal(2, removed.Count);
        var overall = (await Store.GetStatisticsAsync(JobGrouping.None, null)).Overall;
        Assert.Equal((1, 1, 2), (overall.Pending, overall.Running, overall.Total));
    }

    [Fact]
    public async Task TrimFinishedAsync_FewerThanKept_RemovesNothing()
    {
        await CreateFinishedAsync(JobStatus.Completed, Now);
        await CreateFinishedAsync(JobStatus.Completed, Now);

        Assert.Empty(await Store.TrimFinishedAsync(keep: 2));
        Assert.Equal(2, (await Store.GetStatisticsAsync(JobGrouping.None, null)).Overall.Total);
    }

    [Fact]
    public async Task GetNextExpiryAsync_FollowsSoonestExpiryHeld()
    {
        Assert.Null(await Store.GetNextExpiryAsync());
        await MoveAsync(await CreateAsync(), JobStatus.Running);
        Assert.Null(await Store.GetNextExpiryAsync());

        var later = await CreateFinishedAsync(JobStatus.Completed, Now, Now.AddMinutes(5));
        Assert.Equal(Now.AddMinutes(5), await Store.GetNextExpiryAsync());

        var sooner = await CreateFinishedAsync(JobStatus.Failed, Now, Now.AddMinutes(2));
        Assert.Equal(Now.AddMinutes(2), await Store.GetNextExpiryAsync());

        Assert.True(await Store.RemoveAsync(sooner));
        Assert.Equal(Now.AddMinutes(5), await Store.GetNextExpiryAsync());

        Assert.True(await Store.RemoveAsync(later));
        Assert.Null(await Store.GetNextExpiryAsync());
    }
}
