using System.Text.Json;
using Cancellable.Jobs.Redis.Storage;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Tests.Storage;

/// <summary>
/// The <see cref="Cancellable.Jobs.Storage.IJobStore"/> contract against a real Redis. Written to be replaced by the
/// shared store conformance suite once it runs against this store; the Redis-only behaviour (TTL, key layout, glob-safe
/// ids, prefixes) stays here.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisJobStoreTests(RedisServerFixture redis) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);
    private readonly string _prefix = RedisServerFixture.NewPrefix();
    private readonly List<RedisJobStore> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    [Fact]
    public async Task Create_NewJob_AssignsSequenceAndVersionAndRoundTripsEveryField()
    {
        var store = NewStore();
        var job = NewJob("import", owner: "ana", tags: ["project:1", "ünïcode tag"]) with
        {
            Input = JsonDocument.Parse("""{"file":"a.csv","rows":[1,2,3]}""").RootElement,
            Timeout = TimeSpan.FromMinutes(5),
            Messages = [new JobMessage(JobMessageLevel.Warning, "careful", T0)],
            Progress = new JobProgress { Fraction = 0.5, Processed = 5, Total = 10, Steps = [new JobStepProgress { Name = "read", Weight = 2, Fraction = 1 }] },
        };

        var first = await store.CreateAsync(job, 100);
        var second = await store.CreateAsync(NewJob("import"), 100);
        var read = await store.GetAsync(job.Id);

        Assert.Equal(1, first!.Version);
        Assert.True(second!.Sequence > first.Sequence);
        Assert.NotNull(read);
        Assert.Equal(first.Sequence, read.Sequence);
        Assert.Equal(1, read.Version);
        Assert.Equal(job.Tags, read.Tags);
        Assert.Equal("ana", read.Owner);
        Assert.Equal(TimeSpan.FromMinutes(5), read.Timeout);
        Assert.Equal("careful", Assert.Single(read.Messages).Text);
        Assert.Equal("read", Assert.Single(read.Progress.Steps).Name);
        Assert.Equal(3, read.Input!.Value.GetProperty("rows").GetArrayLength());
        Assert.Equal(T0, read.CreatedAt);
    }

    [Fact]
    public async Task Create_PendingBoundReached_ReturnsNull()
    {
        var store = NewStore();
        Assert.NotNull(await store.CreateAsync(NewJob(), 2));
        Assert.NotNull(await store.CreateAsync(NewJob(), 2));

        Assert.Null(await store.CreateAsync(NewJob(), 2));
        Assert.Equal(2, (await store.GetStatisticsAsync(JobGrouping.None, null)).Overall.Pending);
    }

    [Fact]
    public async Task Create_ExistingId_Throws()
    {
        var store = NewStore();
        var job = NewJob();
        await store.CreateAsync(job, 10);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CreateAsync(job, 10).AsTask());
    }

    [Fact]
    public async Task Replace_CurrentVersion_StoresAndAddsOne()
    {
        var store = NewStore();
        var created = (await store.CreateAsync(NewJob(), 10))!;

        var replaced = await store.ReplaceAsync(created, created with { Status = JobStatus.Running, RunId = "r1" });

        Assert.Equal(2, replaced!.Version);
        var read = await store.GetAsync(created.Id);
        Assert.Equal(JobStatus.Running, read!.Status);
        Assert.Equal("r1", read.RunId);
        Assert.Equal(created.Sequence, read.Sequence);
    }

    [Fact]
    public async Task Replace_StaleVersion_ReturnsNullAndKeepsStored()
    {
        var store = NewStore();
        var created = (await store.CreateAsync(NewJob(), 10))!;
        await store.ReplaceAsync(created, created with { Owner = "first" });

        var stale = await store.ReplaceAsync(created, created with { Owner = "second" });

        Assert.Null(stale);
        Assert.Equal("first", (await store.GetAsync(created.Id))!.Owner);
    }

    [Fact]
    public async Task Replace_RemovedJob_ReturnsNull()
    {
        var store = NewStore();
        var created = (await store.CreateAsync(NewJob(), 10))!;
        Assert.True(await store.RemoveAsync(created));

        Assert.Null(await store.ReplaceAsync(created, created with { Owner = "x" }));
        Assert.Null(await store.GetAsync(created.Id));
    }

    [Fact]
    public async Task Remove_StaleVersion_ReturnsFalse()
    {
        var store = NewStore();
        var created = (await store.CreateAsync(NewJob(), 10))!;
        await store.ReplaceAsync(created, created with { Owner = "x" });

        Assert.False(await store.RemoveAsync(created));
        Assert.NotNull(await store.GetAsync(created.Id));
    }

    [Fact]
    public async Task Remove_LastJobOfPrefix_LeavesOnlyTheSequenceKey()
    {
        var store = NewStore();
        var job = (await store.CreateAsync(NewJob("t", owner: "o", tags: ["a", "b"]), 10))!;
        var running = (await store.ReplaceAsync(job, job with { Status = JobStatus.Running }))!;
        var done = (await store.ReplaceAsync(running, Finish(running, JobStatus.Completed, T0)))!;

        Assert.True(await store.RemoveAsync(done));

        Assert.Equal([_prefix + "seq"], KeysOfPrefix());
        var stats = await store.GetStatisticsAsync(JobGrouping.Tag, null);
        Assert.Equal(0, stats.Overall.Total);
        Assert.Empty(stats.Groups);
    }

    [Fact]
    public async Task ClaimNext_PendingJobsOfSeveralTypes_TakesOldestOfTheGivenTypes()
    {
        var store = NewStore();
        var a1 = (await store.CreateAsync(NewJob("a"), 10))!;
        var b1 = (await store.CreateAsync(NewJob("b"), 10))!;
        var a2 = (await store.CreateAsync(NewJob("a"), 10))!;

        var first = await store.ClaimNextAsync(["b", "c"], Start);
        var second = await store.ClaimNextAsync(["a", "b"], Start);
        var third = await store.ClaimNextAsync(["a", "b"], Start);
        var none = await store.ClaimNextAsync(["a", "b"], Start);

        Assert.Equal(b1.Id, first!.Id);
        Assert.Equal(JobStatus.Running, first.Status);
        Assert.Equal(2, first.Version);
        Assert.Equal(a1.Id, second!.Id);
        Assert.Equal(a2.Id, third!.Id);
        Assert.Null(none);
        Assert.Equal(3, (await store.GetStatisticsAsync(JobGrouping.None, null)).Overall.Running);
    }

    [Fact]
    public async Task ClaimNext_CancelledWhileQueued_IsNotClaimed()
    {
        var store = NewStore();
        var job = (await store.CreateAsync(NewJob("a"), 10))!;
        await store.ReplaceAsync(job, Finish(job, JobStatus.Cancelled, T0));

        Assert.Null(await store.ClaimNextAsync(["a"], Start));
    }

    [Fact]
    public async Task ClaimNext_RetriedJob_IsQueuedAgain()
    {
        var store = NewStore();
        var job = (await store.CreateAsync(NewJob("a"), 10))!;
        var running = (await store.ClaimNextAsync(["a"], Start))!;
        var failed = (await store.ReplaceAsync(running, Finish(running, JobStatus.Failed, T0)))!;
        await store.ReplaceAsync(failed, failed with { Status = JobStatus.Pending, Attempt = 2, CompletedAt = null, ExpiresAt = null, RunId = null });

        var again = await store.ClaimNextAsync(["a"], Start);

        Assert.Equal(job.Id, again!.Id);
        Assert.Equal(2, again.Attempt);
        Assert.Null(await redis.Connection.GetDatabase().KeyTimeToLiveAsync(store.JobKey(job.Id)));
    }

    [Fact]
    public async Task ClaimNext_ManyClaimersOnSeparateConnections_ClaimEachJobExactlyOnce()
    {
        const int Jobs = 300;
        var seed = NewStore();
        for (var i = 0; i < Jobs; i++)
        {
            await seed.CreateAsync(NewJob(i % 2 == 0 ? "a" : "b"), Jobs);
        }

        using var other = await redis.ConnectAsync();
        var stores = new[] { NewStore(), NewStore(other) };
        var claimed = new System.Collections.Concurrent.ConcurrentBag<string>();
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var store = stores[w % 2];
            while (await store.ClaimNextAsync(["a", "b"], job => Start(job) with { RunId = $"w{w}" }) is { } job)
            {
                claimed.Add(job.Id);
            }
        }));
        await Task.WhenAll(workers);

        Assert.Equal(Jobs, claimed.Count);
        Assert.Equal(Jobs, claimed.Distinct().Count());
        var stats = await seed.GetStatisticsAsync(JobGrouping.None, null);
        Assert.Equal(Jobs, stats.Overall.Running);
        Assert.Equal(0, stats.Overall.Pending);
    }

    [Fact]
    public async Task Query_FiltersAndPages_MatchTheFilteredJobsNewestFirst()
    {
        var store = NewStore();
        var all = new List<JobSnapshot>();
        for (var i = 0; i < 40; i++)
        {
            var job = (await store.CreateAsync(NewJob(i % 3 == 0 ? "x" : "y", owner: i % 4 == 0 ? "ana" : null, tags: i % 5 == 0 ? ["hot", "p"] : ["p"]), 100))!;
            if (i % 2 == 0)
            {
                job = (await store.ReplaceAsync(job, job with { Status = JobStatus.Running }))!;
            }

            all.Add(job);
        }

        JobFilter[] filters =
        [
            new(), new() { Status = JobStatus.Running }, new() { Type = "x" }, new() { Owner = "ana" }, new() { Tag = "hot" },
            new() { Type = "y", Tag = "hot", Status = JobStatus.Pending }, new() { Owner = "nobody" }, new() { Status = JobStatus.Failed },
        ];
        foreach (var filter in filters)
        {
            var expected = all.Where(filter.Matches).OrderByDescending(j => j.Sequence).Select(j => j.Id).ToList();
            var actual = new List<string>();
            var query = new JobQuery { Status = filter.Status, Type = filter.Type, Owner = filter.Owner, Tag = filter.Tag, PageSize = 7 };
            do
            {
                var page = await store.QueryAsync(query);
                Assert.True(page.Items.Count <= 7);
                actual.AddRange(page.Items.Select(j => j.Id));
                query = query with { ContinuationToken = page.ContinuationToken };
            }
            while (query.ContinuationToken is not null);

            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("0")]
    public async Task Query_ForeignContinuationToken_ThrowsArgumentException(string token)
    {
        var store = NewStore();
        await Assert.ThrowsAsync<ArgumentException>(() => store.QueryAsync(new JobQuery { ContinuationToken = token }).AsTask());
    }

    [Fact]
    public async Task GetStatistics_GroupedWithKeyPrefix_CountsPerStatusAndGroup()
    {
        var store = NewStore();
        var a = (await store.CreateAsync(NewJob("import.csv", owner: "ana", tags: ["project:1"]), 10))!;
        await store.CreateAsync(NewJob("import.xml", owner: "bob", tags: ["project:1", "project:2"]), 10);
        await store.CreateAsync(NewJob("export", tags: ["team:x"]), 10);
        var running = (await store.ReplaceAsync(a, a with { Status = JobStatus.Running }))!;
        await store.ReplaceAsync(running, Finish(running, JobStatus.Completed, T0));

        var byType = await store.GetStatisticsAsync(JobGrouping.Type, "import");
        var byTag = await store.GetStatisticsAsync(JobGrouping.Tag, null);
        var byOwner = await store.GetStatisticsAsync(JobGrouping.Owner, null);

        Assert.Equal(1, byType.Overall.Completed);
        Assert.Equal(2, byType.Overall.Pending);
        Assert.Equal(["import.csv", "import.xml"], byType.Groups.Select(g => g.Key));
        Assert.Equal(1, byType.Groups[0].Counts.Completed);
        Assert.Equal(1, byType.Groups[1].Counts.Pending);
        Assert.Equal(["project:1", "project:2", "team:x"], byTag.Groups.Select(g => g.Key));
        Assert.Equal(2, byTag.Groups[0].Counts.Total);
        Assert.Equal(["ana", "bob"], byOwner.Groups.Select(g => g.Key));
    }

    [Fact]
    public async Task RemoveExpired_DueAndNotDue_RemovesOnlyDueSoonestFirstAndUnindexes()
    {
        var store = NewStore();
        var late = await CreateFinishedAsync(store, T0.AddMinutes(10), tags: ["k"]);
        var soon = await CreateFinishedAsync(store, T0.AddMinutes(5), tags: ["k"]);
        var kept = await CreateFinishedAsync(store, T0.AddMinutes(20), tags: ["k"]);

        Assert.Empty(await store.RemoveExpiredAsync(soon.ExpiresAt!.Value.AddTicks(-1), 10));
        var removed = await store.RemoveExpiredAsync(late.ExpiresAt!.Value, 10);

        Assert.Equal([soon.Id, late.Id], removed.Select(j => j.Id));
        Assert.Null(await store.GetAsync(soon.Id));
        Assert.NotNull(await store.GetAsync(kept.Id));
        Assert.Equal(kept.ExpiresAt, await store.GetNextExpiryAsync());
        var stats = await store.GetStatisticsAsync(JobGrouping.Tag, null);
        Assert.Equal(1, stats.Overall.Total);
        Assert.Equal(1, Assert.Single(stats.Groups).Counts.Completed);
        Assert.Equal([kept.Id], (await store.QueryAsync(new JobQuery { Tag = "k" })).Items.Select(j => j.Id));
    }

    [Fact]
    public async Task RemoveExpired_MaxCount_RemovesAtMostThatMany()
    {
        var store = NewStore();
        for (var i = 0; i < 5; i++)
        {
            await CreateFinishedAsync(store, T0.AddSeconds(i));
        }

        Assert.Equal(2, (await store.RemoveExpiredAsync(T0.AddHours(1), 2)).Count);
        Assert.Equal(3, (await store.RemoveExpiredAsync(T0.AddHours(1), 10)).Count);
        Assert.Null(await store.GetNextExpiryAsync());
    }

    [Fact]
    public async Task TrimFinished_BeyondKeep_RemovesOldestCompletedFirst()
    {
        var store = NewStore();
        var jobs = new List<JobSnapshot>();
        for (var i = 0; i < 4; i++)
        {
            jobs.Add(await CreateFinishedAsync(store, T0.AddHours(1), completedAt: T0.AddMinutes(4 - i)));
        }

        await store.CreateAsync(NewJob(), 10);

        var removed = await store.TrimFinishedAsync(1);

        Assert.Equal([jobs[3].Id, jobs[2].Id, jobs[1].Id], removed.Select(j => j.Id));
        Assert.Equal(2, (await store.GetStatisticsAsync(JobGrouping.None, null)).Overall.Total);
        Assert.Empty(await store.TrimFinishedAsync(1));
    }

    [Fact]
    public async Task GetNextExpiry_EmptyStore_ReturnsNull()
    {
        Assert.Null(await NewStore().GetNextExpiryAsync());
    }

    [Fact]
    public async Task Replace_FinishedJob_SetsRedisTtlOfRetentionPlusGrace()
    {
        var store = NewStore(grace: TimeSpan.FromMinutes(30));
        var job = await CreateFinishedAsync(store, T0.AddHours(1));

        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync(store.JobKey(job.Id));

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(89), TimeSpan.FromMinutes(90));
        var pending = (await store.CreateAsync(NewJob(), 10))!;
        Assert.Null(await redis.Connection.GetDatabase().KeyTimeToLiveAsync(store.JobKey(pending.Id)));
    }

    [Fact]
    public async Task Get_IdWithGlobCharacters_IsNeverAPattern()
    {
        var store = NewStore();
        var literal = (await store.CreateAsync(NewJob() with { Id = "a*" }, 10))!;
        await store.CreateAsync(NewJob() with { Id = "ab" }, 10);

        Assert.Null(await store.GetAsync("a?"));
        Assert.Null(await store.GetAsync("[a]b"));
        Assert.Equal(literal.Sequence, (await store.GetAsync("a*"))!.Sequence);
        Assert.True(await store.RemoveAsync(literal));
        Assert.NotNull(await store.GetAsync("ab"));
    }

    [Fact]
    public async Task KeyPrefix_TwoPrefixesOnOneServer_DoNotSeeEachOther()
    {
        var mine = NewStore();
        var theirs = new RedisJobStore(redis.Connection, new RedisJobStoreOptions { KeyPrefix = RedisServerFixture.NewPrefix() }, _time);
        _stores.Add(theirs);
        var job = (await mine.CreateAsync(NewJob("a"), 10))!;

        Assert.Null(await theirs.GetAsync(job.Id));
        Assert.Null(await theirs.ClaimNextAsync(["a"], Start));
        Assert.Equal(0, (await theirs.GetStatisticsAsync(JobGrouping.None, null)).Overall.Total);
    }

    [Fact]
    public async Task Subscribe_WritesFromAnotherConnection_AreDeliveredInOrder()
    {
        using var other = await redis.ConnectAsync();
        var writer = NewStore(other);
        var watcher = NewStore();
        var changes = new List<JobChange>();
        var removed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = watcher.Subscribe(change =>
        {
            lock (changes)
            {
                changes.Add(change);
            }

            if (change.Kind == JobChangeKind.Removed)
            {
                removed.TrySetResult();
            }
        });

        var created = (await writer.CreateAsync(NewJob("a", tags: ["t"]), 10))!;
        var updated = (await writer.ReplaceAsync(created, created with { Owner = "o" }))!;
        await writer.RemoveAsync(updated);
        await removed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([JobChangeKind.Created, JobChangeKind.Updated, JobChangeKind.Removed], changes.Select(c => c.Kind));
        Assert.All(changes, c => Assert.Equal(created.Id, c.Job.Id));
        Assert.Equal([1L, 2L, 2L], changes.Select(c => c.Job.Version));
        Assert.Equal("o", changes[1].Job.Owner);
        Assert.Equal(created.Sequence, changes[2].Job.Sequence);
    }

    [Fact]
    public async Task Subscribe_Disposed_StopsDelivering()
    {
        var store = NewStore();
        var seen = 0;
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = store.Subscribe(_ => Interlocked.Increment(ref seen));
        using var witness = store.Subscribe(c => second.TrySetResult());
        first.Dispose();

        await store.CreateAsync(NewJob(), 10);
        await second.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, Volatile.Read(ref seen));
    }

    internal static JobSnapshot NewJob(string type = "t", string? owner = null, string[]? tags = null) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Type = type,
        Status = JobStatus.Pending,
        Owner = owner,
        Tags = tags ?? [],
        CreatedAt = T0,
    };

    private static JobSnapshot Start(JobSnapshot job) => job with { Status = JobStatus.Running, StartedAt = T0, RunId = "run" };

    private static JobSnapshot Finish(JobSnapshot job, JobStatus status, DateTimeOffset completedAt, DateTimeOffset? expiresAt = null) =>
        job with { Status = status, CompletedAt = completedAt, ExpiresAt = expiresAt ?? completedAt.AddHours(1) };

    private async Task<JobSnapshot> CreateFinishedAsync(RedisJobStore store, DateTimeOffset expiresAt, string[]? tags = null, DateTimeOffset? completedAt = null)
    {
        var job = (await store.CreateAsync(NewJob(tags: tags), 100))!;
        return (await store.ReplaceAsync(job, Finish(job, JobStatus.Completed, completedAt ?? T0, expiresAt)))!;
    }

    private RedisJobStore NewStore(IConnectionMultiplexer? connection = null, TimeSpan? grace = null)
    {
        var options = new RedisJobStoreOptions { KeyPrefix = _prefix };
        if (grace is { } g)
        {
            options.ExpiredRecordGrace = g;
        }

        var store = new RedisJobStore(connection ?? redis.Connection, options, _time);
        _stores.Add(store);
        return store;
    }

    private string[] KeysOfPrefix() =>
        [.. redis.Connection.GetServers()[0].Keys(pattern: _prefix.Replace("{", "\\{").Replace("}", "\\}") + "*").Select(k => k.ToString()).Order(StringComparer.Ordinal)];
}
