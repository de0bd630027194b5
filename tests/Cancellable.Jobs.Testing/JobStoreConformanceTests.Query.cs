namespace Cancellable.Jobs.Testing;

public abstract partial class JobStoreConformanceTests
{
    public static TheoryData<string> Filters => new(FilterCases.Keys.Order(StringComparer.Ordinal));

    private static readonly Dictionary<string, JobFilter> FilterCases = new(StringComparer.Ordinal)
    {
        ["all"] = new JobFilter(),
        ["status"] = new JobFilter { Status = JobStatus.Running },
        ["type"] = new JobFilter { Type = "beta" },
        ["owner"] = new JobFilter { Owner = "ann" },
        ["tag"] = new JobFilter { Tag = "project:1" },
        ["status+type"] = new JobFilter { Status = JobStatus.Pending, Type = "alpha" },
        ["owner+tag"] = new JobFilter { Owner = "bob", Tag = "project:2" },
        ["status+type+owner+tag"] = new JobFilter { Status = JobStatus.Completed, Type = "alpha", Owner = "ann", Tag = "project:1" },
        ["no match"] = new JobFilter { Type = "missing" },
        ["no match in status"] = new JobFilter { Status = JobStatus.Cancelling, Type = "alpha" },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task QueryAsync_Filter_PagesCoverEveryMatchNewestFirstExactlyOnce(string filterName)
    {
        var filter = FilterCases[filterName];
        var jobs = await CreateMixedJobsAsync();
        var expected = jobs.Where(filter.Matches).OrderByDescending(j => j.Sequence).Select(j => j.Id).ToList();

        foreach (var pageSize in new[] { 1, 3, 7, 1000 })
        {
            var seen = await QueryAllAsync(filter, pageSize);

            Assert.Equal(expected, seen);
        }
    }

    [Fact]
    public async Task QueryAsync_StatusChanged_FollowsNewStatus()
    {
        var job = await CreateAsync();
        await MoveAsync(job, JobStatus.Running);

        Assert.Empty(await QueryAllAsync(new JobFilter { Status = JobStatus.Pending }, 10));
        Assert.Equal([job.Id], await QueryAllAsync(new JobFilter { Status = JobStatus.Running }, 10));
    }

    [Fact]
    public async Task QueryAsync_RemovedJob_NotListed()
    {
        var kept = await CreateAsync("alpha", "ann", "t");
        var removed = await CreateAsync("alpha", "ann", "t");
        Assert.True(await Store.RemoveAsync(removed));

        Assert.Equal([kept.Id], await QueryAllAsync(new JobFilter { Owner = "ann", Tag = "t" }, 10));
    }

    [Fact]
    public async Task QueryAsync_PageReturnsStoredSnapshots()
    {
        var job = await MoveAsync(await CreateAsync("alpha", "ann", "t"), JobStatus.Running);

        var page = await Store.QueryAsync(new JobQuery { PageSize = 10 });

        var listed = Assert.Single(page.Items);
        Assert.Equal(job.Id, listed.Id);
        Assert.Equal(job.Version, listed.Version);
        Assert.Equal(JobStatus.Running, listed.Status);
        Assert.Null(page.ContinuationToken);
    }

    [Theory]
    [InlineData("not a token")]
    [InlineData("-1")]
    [InlineData("")]
    public async Task QueryAsync_BadContinuationToken_ThrowsArgumentException(string token)
    {
        await CreateAsync();
        await CreateAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.QueryAsync(new JobQuery { PageSize = 1, ContinuationToken = token }));
    }

    /// <summary>Creates jobs over every combination of type, owner, tags and status used by the filters.</summary>
    private async Task<List<JobSnapshot>> CreateMixedJobsAsync()
    {
        string[] types = ["alpha", "beta"];
        string?[] owners = ["ann", "bob", null];
        string[][] tagSets = [[], ["project:1"], ["project:2"], ["project:1", "project:2"]];
        JobStatus[] statuses = [JobStatus.Pending, JobStatus.Running, JobStatus.Completed];
        var jobs = new List<JobSnapshot>();
        var i = 0;
        foreach (var type in types)
        {
            foreach (var owner in owners)
            {
                foreach (var tags in tagSets)
                {
                    var job = await CreateAsync(type, owner, tags);
                    var status = statuses[i++ % statuses.Length];
                    jobs.Add(status == JobStatus.Pending ? job : await MoveAsync(job, status));
                }
            }
        }

        return jobs;
    }

    private async Task<List<string>> QueryAllAsync(JobFilter filter, int pageSize)
    {
        var query = new JobQuery { Status = filter.Status, Type = filter.Type, Owner = filter.Owner, Tag = filter.Tag, PageSize = pageSize };
        var ids = new List<string>();
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages <= 1000, "The continuation tokens never ended.");
            var page = await Store.QueryAsync(query);
            Assert.True(page.Items.Count <= pageSize, $"A page of {page.Items.Count} jobs exceeds the page size {pageSize}.");
            Assert.All(page.Items, job => Assert.True(filter.Matches(job), $"Job {job.Id} does not match the filter."));
            ids.AddRange(page.Items.Select(j => j.Id));
            if (page.ContinuationToken is null)
            {
                return ids;
            }

            query = query with { ContinuationToken = page.ContinuationToken };
        }
    }
}
