namespace Cancellable.Jobs.Testing;

public abstract partial class JobStoreConformanceTests
{
    [Fact]
    public async Task GetStatisticsAsync_EmptyStore_CountsZero()
    {
        var stats = await Store.GetStatisticsAsync(JobGrouping.Type, null);

        Assert.Equal(0, stats.Overall.Total);
        Assert.All(stats.Groups, g => Assert.Equal(0, g.Counts.Total));
    }

    [Fact]
    public async Task GetStatisticsAsync_Overall_CountsPerStatus()
    {
        await CreateAsync();
        await CreateAsync();
        await MoveAsync(await CreateAsync(), JobStatus.Running);
        await MoveAsync(await CreateAsync(), JobStatus.Cancelling);
        await CreateFinishedAsync(JobStatus.Completed, Now);
        await CreateFinishedAsync(JobStatus.Failed, Now);
        await CreateFinishedAsync(JobStatus.Failed, Now);
        await CreateFinishedAsync(JobStatus.Cancelled, Now);

        var overall = (await Store.GetStatisticsAsync(JobGrouping.None, null)).Overall;

        Assert.Equal((2, 1, 1, 1, 2, 1), (overall.Pending, overall.Running, overall.Cancelling, overall.Completed, overall.Failed, overall.Cancelled));
        Assert.Equal(8, overall.Total);
    }

    [Fact]
    public async Task GetStatisticsAsync_ByType_GroupsSortedByKey()
    {
        await CreateAsync("beta");
        await MoveAsync(await CreateAsync("beta"), JobStatus.Running);
        await CreateAsync("alpha");

        var stats = await Store.GetStatisticsAsync(JobGrouping.Type, null);

        Assert.Equal(["alpha", "beta"], stats.Groups.Select(g => g.Key));
        Assert.Equal(1, Counts(stats, "alpha").Pending);
        Assert.Equal((1, 1), (Counts(stats, "beta").Pending, Counts(stats, "beta").Running));
        Assert.Equal(3, stats.Overall.Total);
    }

    [Fact]
    public async Task GetStatisticsAsync_ByOwner_SkipsJobsWithoutOwner()
    {
        await CreateAsync("alpha", "ann");
        await CreateAsync("beta", "ann");
        await CreateAsync("alpha", "bob");
        await CreateAsync("alpha", owner: null);

        var stats = await Store.GetStatisticsAsync(JobGrouping.Owner, null);

        Assert.Equal(["ann", "bob"], stats.Groups.Select(g => g.Key));
        Assert.Equal(2, Counts(stats, "ann").Pending);
        Assert.Equal(1, Counts(stats, "bob").Pending);
        Assert.Equal(4, stats.Overall.Total);
    }

    [Fact]
    public async Task GetStatisticsAsync_ByTagWithPrefix_CountsJobInEachMatchingTag()
    {
        await CreateAsync("alpha", null, "project:1", "team:red");
        await CreateAsync("alpha", null, "project:1", "project:2");
        await CreateAsync("alpha", null, "team:blue");

        var projects = await Store.GetStatisticsAsync(JobGrouping.Tag, "project:");
        var all = await Store.GetStatisticsAsync(JobGrouping.Tag, null);

        Assert.Equal(["project:1", "project:2"], projects.Groups.Select(g => g.Key));
        Assert.Equal(2, Counts(projects, "project:1").Pending);
        Assert.Equal(1, Counts(projects, "project:2").Pending);
        Assert.Equal(3, projects.Overall.Total);
        Assert.Equal(["project:1", "project:2", "team:blue", "team:red"], all.Groups.Select(g => g.Key));
    }

    [Fact]
    public async Task GetStatisticsAsync_StatusChangesAndRemovals_CountsFollow()
    {
        var job = await CreateAsync("alpha", "ann", "project:1");
        await CreateAsync("alpha", "ann", "project:1");

        var running = await MoveAsync(job, JobStatus.Running);
        var byTag = await Store.GetStatisticsAsync(JobGrouping.Tag, "project:");
        Assert.Equal((1, 1), (Counts(byTag, "project:1").Pending, Counts(byTag, "project:1").Running));

        var failed = await MoveAsync(running, JobStatus.Failed);
        var byOwner = await Store.GetStatisticsAsync(JobGrouping.Owner, null);
        Assert.Equal((1, 0, 1), (Counts(byOwner, "ann").Pending, Counts(byOwner, "ann").Running, Counts(byOwner, "ann").Failed));

        Assert.True(await Store.RemoveAsync(failed));
        var byType = await Store.GetStatisticsAsync(JobGrouping.Type, null);
        Assert.Equal((1, 0, 1), (Counts(byType, "alpha").Pending, Counts(byType, "alpha").Failed, Counts(byType, "alpha").Total));
        Assert.Equal(1, byType.Overall.Total);
    }

    [Fact]
    public async Task GetStatisticsAsync_GroupEmptied_HasNoJobsLeft()
    {
        var job = await CreateAsync("alpha", "ann", "project:1");
        await CreateAsync("beta");
        Assert.True(await Store.RemoveAsync(job));

        var byTag = await Store.GetStatisticsAsync(JobGrouping.Tag, null);
        var byType = await Store.GetStatisticsAsync(JobGrouping.Type, null);

        Assert.Equal(0, Counts(byTag, "project:1").Total);
        Assert.Equal(0, Counts(byType, "alpha").Total);
        Assert.Equal(1, Counts(byType, "beta").Total);
    }

    /// <summary>The counts of one group; a group the store does not list counts zero.</summary>
    private static JobStatusCounts Counts(JobStatistics stats, string key) =>
        stats.Groups.SingleOrDefault(g => g.Key == key)?.Counts ?? new JobStatusCounts();
}
