using System.Text.Json;
using Cancellable.Jobs.Redis.Storage;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Tests.Storage;

/// <summary>
/// What only the Redis store has: the JSON codec's round trip, the key layout, Redis TTLs, the per-type claim queues
/// across connections, glob-safe ids, prefixes and the cross-connection change feed. The <see cref="Cancellable.Jobs.Storage.IJobStore"/>
/// contract itself is the shared conformance suite (<see cref="RedisJobStoreConformanceTests"/>).
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
    public async Task Create_RichJob_RoundTripsEveryFieldThroughTheJsonCodec()
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
    public async Task Subscribe_Lifecycle_UpdatedChangesCarryThePreviousStatusToEveryInstance()
    {
        using var other = await redis.ConnectAsync();
        var writer = NewStore();
        var watcher = NewStore(other);
        var mine = new ChangeLog();
        var theirs = new ChangeLog();
        using var mineSubscription = writer.Subscribe(mine.Add);
        using var theirsSubscription = watcher.Subscribe(theirs.Add);

        var created = (await writer.CreateAsync(NewJob("a"), 10))!;
        var running = (await writer.ClaimNextAsync(["a"], Start))!;
        var progressed = (await writer.ReplaceAsync(running, running with { Progress = new JobProgress { Fraction = 0.5 } }))!;
        var cancelling = (await writer.ReplaceAsync(progressed, progressed with { Status = JobStatus.Cancelling, CancelRequestedAt = T0 }))!;
        var cancelled = (await writer.ReplaceAsync(cancelling, Finish(cancelling, JobStatus.Cancelled, T0) with { RunId = null }))!;
        var retried = (await writer.ReplaceAsync(cancelled, cancelled with { Status = JobStatus.Pending, Attempt = 2, CompletedAt = null, ExpiresAt = null }))!;
        Assert.True(await writer.RemoveAsync(retried));

        (JobChangeKind, JobStatus, JobStatus?)[] expected =
        [
            (JobChangeKind.Created, JobStatus.Pending, null),
            (JobChangeKind.Updated, JobStatus.Running, JobStatus.Pending),
            (JobChangeKind.Updated, JobStatus.Running, JobStatus.Running),
            (JobChangeKind.Updated, JobStatus.Cancelling, JobStatus.Running),
            (JobChangeKind.Updated, JobStatus.Cancelled, JobStatus.Cancelling),
            (JobChangeKind.Updated, JobStatus.Pending, JobStatus.Cancelled),
            (JobChangeKind.Removed, JobStatus.Pending, null),
        ];
        foreach (var log in new[] { mine, theirs })
        {
            var changes = await log.UntilRemovedAsync();
            Assert.All(changes, c => Assert.Equal(created.Id, c.Job.Id));
            Assert.Equal(expected, changes.Select(c => (c.Kind, c.Job.Status, c.PreviousStatus)));
        }
    }

    [Fact]
    public async Task Dispose_AfterItsConnectionWasDisposed_DoesNotThrow()
    {
        // Whether the connection's disposal already dropped the subscription is a race inside the Redis client
        // (about one round in fifteen here), so the test repeats it.
        for (var round = 0; round < 50; round++)
        {
            var connection = await redis.ConnectAsync();
            var store = new RedisJobStore(connection, new RedisJobStoreOptions { KeyPrefix = _prefix }, _time);
            var changes = new ChangeLog();
            using var subscription = store.Subscribe(changes.Add);
            var job = (await store.CreateAsync(NewJob("a"), 10))!;
            await store.RemoveAsync(job);
            await changes.UntilRemovedAsync();

            connection.Dispose();

            Assert.Null(Record.Exception(store.Dispose));
        }
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

/// <summary>Collects a store subscription's changes until a removal arrives.</summary>
internal sealed class ChangeLog
{
    private readonly List<JobChange> _changes = [];
    private readonly TaskCompletionSource _removed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(JobChange change)
    {
        lock (_changes)
        {
            _changes.Add(change);
        }

        if (change.Kind == JobChangeKind.Removed)
        {
            _removed.TrySetResult();
        }
    }

    /// <summary>Waits for a removal (with a timeout that only guards against hangs) and returns the changes in order.</summary>
    public async Task<List<JobChange>> UntilRemovedAsync()
    {
        await _removed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        lock (_changes)
        {
            return [.. _changes];
        }
    }
}
