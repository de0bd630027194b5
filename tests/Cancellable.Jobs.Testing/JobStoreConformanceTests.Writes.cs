namespace Cancellable.Jobs.Testing;

public abstract partial class JobStoreConformanceTests
{
    [Fact]
    public async Task CreateAsync_NewJobs_AssignsGrowingSequenceAndVersionOne()
    {
        var first = await CreateAsync();
        var second = await CreateAsync(NewJob() with { Sequence = 999, Version = 7 });

        Assert.Equal(1, first.Version);
        Assert.Equal(1, second.Version);
        Assert.True(first.Sequence > 0);
        Assert.True(second.Sequence > first.Sequence);
    }

    [Fact]
    public async Task CreateAsync_StoredJob_KeepsFields()
    {
        var job = NewJob("beta", "owner@example.com", "project:1", "x") with { Timeout = TimeSpan.FromMinutes(3) };

        await CreateAsync(job);
        var read = await Store.GetAsync(job.Id);

        Assert.NotNull(read);
        Assert.Equal("beta", read.Type);
        Assert.Equal(JobStatus.Pending, read.Status);
        Assert.Equal("owner@example.com", read.Owner);
        Assert.Equal(["project:1", "x"], read.Tags);
        Assert.Equal(TimeSpan.FromMinutes(3), read.Timeout);
        Assert.Equal(Now, read.CreatedAt);
        Assert.Equal(1, read.Attempt);
    }

    [Fact]
    public async Task CreateAsync_PendingBoundReached_ReturnsNullAndCreatesNothing()
    {
        await CreateAsync(NewJob(), maxPendingJobs: 2);
        await CreateAsync(NewJob(), maxPendingJobs: 2);
        var refused = NewJob();

        Assert.Null(await Store.CreateAsync(refused, maxPendingJobs: 2));
        Assert.Null(await Store.GetAsync(refused.Id));
        Assert.Equal(2, (await Store.GetStatisticsAsync(JobGrouping.None, null)).Overall.Total);
    }

    [Fact]
    public async Task CreateAsync_BoundCountsOnlyPendingJobs_AcceptsOnceOneStarted()
    {
        var first = await CreateAsync(NewJob(), maxPendingJobs: 1);
        Assert.Null(await Store.CreateAsync(NewJob(), maxPendingJobs: 1));

        await MoveAsync(first, JobStatus.Running);

        Assert.NotNull(await Store.CreateAsync(NewJob(), maxPendingJobs: 1));
    }

    [Fact]
    public async Task CreateAsync_DuplicateId_Throws()
    {
        var job = await CreateAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Store.CreateAsync(NewJob() with { Id = job.Id }, int.MaxValue));
        Assert.Equal(1, (await Store.GetStatisticsAsync(JobGrouping.None, null)).Overall.Total);
    }

    [Fact]
    public async Task GetAsync_UnknownId_ReturnsNull()
    {
        await CreateAsync();

        Assert.Null(await Store.GetAsync("no-such-job"));
    }

    [Fact]
    public async Task ReplaceAsync_CurrentVersion_StoresWithNextVersionAndKeepsSequence()
    {
        var job = await CreateAsync();

        var replaced = await Store.ReplaceAsync(job, job with { Status = JobStatus.Running, Sequence = 12345, Version = 99, RunId = "run-1" });

        Assert.NotNull(replaced);
        Assert.Equal(2, replaced.Version);
        Assert.Equal(job.Sequence, replaced.Sequence);
        var read = await Store.GetAsync(job.Id);
        Assert.Equal(JobStatus.Running, read!.Status);
        Assert.Equal("run-1", read.RunId);
        Assert.Equal(2, read.Version);
        Assert.Equal(job.Sequence, read.Sequence);
    }

    [Fact]
    public async Task ReplaceAsync_StaleVersion_ReturnsNullAndKeepsNewerState()
    {
        var job = await CreateAsync();
        var newer = await MoveAsync(job, JobStatus.Running);

        var stale = await Store.ReplaceAsync(job, job with { Status = JobStatus.Cancelled });

        Assert.Null(stale);
        var read = await Store.GetAsync(job.Id);
        Assert.Equal(JobStatus.Running, read!.Status);
        Assert.Equal(newer.Version, read.Version);
    }

    [Fact]
    public async Task ReplaceAsync_RemovedJob_ReturnsNullAndDoesNotRecreate()
    {
        var job = await CreateAsync();
        Assert.True(await Store.RemoveAsync(job));

        Assert.Null(await Store.ReplaceAsync(job, job with { Status = JobStatus.Running }));
        Assert.Null(await Store.GetAsync(job.Id));
    }

    [Fact]
    public async Task ReplaceAsync_ConcurrentWritersOfOneVersion_ExactlyOneWins()
    {
        var job = await CreateAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
            await Store.ReplaceAsync(job, job with { Owner = $"writer-{i}" }))));

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner!.Owner, (await Store.GetAsync(job.Id))!.Owner);
        Assert.Equal(2, (await Store.GetAsync(job.Id))!.Version);
    }

    [Fact]
    public async Task RemoveAsync_CurrentVersion_RemovesOnce()
    {
        var job = await CreateAsync();

        Assert.True(await Store.RemoveAsync(job));
        Assert.Null(await Store.GetAsync(job.Id));
        Assert.False(await Store.RemoveAsync(job));
    }

    [Fact]
    public async Task RemoveAsync_StaleVersion_ReturnsFalseAndKeepsJob()
    {
        var job = await CreateAsync();
        var newer = await MoveAsync(job, JobStatus.Running);

        Assert.False(await Store.RemoveAsync(job));
        Assert.Equal(newer.Version, (await Store.GetAsync(job.Id))!.Version);
    }

    [Fact]
    public async Task RemoveAsync_UnknownJob_ReturnsFalse()
    {
        Assert.False(await Store.RemoveAsync(NewJob() with { Version = 1 }));
    }
}
