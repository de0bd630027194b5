using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cancellable.Jobs.Redis.Storage;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Cancellable.Jobs.Redis.Tests.Storage;

/// <summary>
/// Memory per job and sequential throughput, measured and printed (not asserted as timings), and the return to the
/// baseline once finished jobs expired.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisJobStoreMemoryTests(RedisServerFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task RemoveExpired_AfterManyJobsRanAndExpired_LeavesNoKeyButTheSequence()
    {
        const int Jobs = 2_000;
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var prefix = RedisServerFixture.NewPrefix();
        using var store = new RedisJobStore(redis.Connection, new RedisJobStoreOptions { KeyPrefix = prefix }, time);
        var server = redis.Connection.GetServers()[0];
        var baseline = await UsedMemoryAsync(server);
        var input = JsonDocument.Parse("""{"projectId":42,"items":["a","b","c"]}""").RootElement;

        var clock = Stopwatch.StartNew();
        var created = new List<JobSnapshot>(Jobs);
        for (var i = 0; i < Jobs; i++)
        {
            var job = RedisJobStoreTests.NewJob($"type{i % 5}", owner: $"user{i % 20}", tags: [$"project:{i % 50}"]) with { Input = input };
            created.Add((await store.CreateAsync(job, Jobs))!);
        }

        var createRate = Jobs / clock.Elapsed.TotalSeconds;
        var pendingBytes = (await UsedMemoryAsync(server) - baseline) / Jobs;
        clock.Restart();
        foreach (var job in created)
        {
            var running = (await store.ReplaceAsync(job, job with { Status = JobStatus.Running, RunId = "r" }))!;
            var progressed = (await store.ReplaceAsync(running, running with { Progress = new JobProgress { Fraction = 0.5, Processed = 5, Total = 10 }, Messages = [new JobMessage(JobMessageLevel.Info, "half way", time.GetUtcNow())] }))!;
            await store.ReplaceAsync(progressed, progressed with { Status = JobStatus.Completed, CompletedAt = time.GetUtcNow(), ExpiresAt = time.GetUtcNow().AddHours(1) });
        }

        var replaceRate = 3 * Jobs / clock.Elapsed.TotalSeconds;
        var finishedBytes = (await UsedMemoryAsync(server) - baseline) / Jobs;
        var removed = 0;
        while ((await store.RemoveExpiredAsync(time.GetUtcNow().AddHours(1), 1_000)).Count is var n and > 0)
        {
            removed += n;
        }

        var afterBytes = await UsedMemoryAsync(server) - baseline;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Jobs} jobs: create {createRate:F0}/s, replace {replaceRate:F0}/s (sequential, one connection, loopback); memory per pending job {pendingBytes} B, per finished job with one message {finishedBytes} B; after expiry {afterBytes} B above baseline"));
        Assert.Equal(Jobs, removed);
        Assert.Equal([prefix + "seq"], server.Keys(pattern: prefix.Replace("{", "\\{").Replace("}", "\\}") + "*").Select(k => k.ToString()));
    }

    [Fact]
    public async Task RemoveExpired_RecordsAlreadyDeletedByTheirTtl_CleansEveryIndexAndCountAndMemoryReturnsToBaseline()
    {
        const int Jobs = 2_000;
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var prefix = RedisServerFixture.NewPrefix();
        using var store = new RedisJobStore(redis.Connection, new RedisJobStoreOptions { KeyPrefix = prefix }, time);
        var db = redis.Connection.GetDatabase();
        var server = redis.Connection.GetServers()[0];
        var warmUp = (await store.CreateAsync(RedisJobStoreTests.NewJob("warm-up"), 1))!; // loads the scripts before the baseline
        Assert.True(await store.RemoveAsync(warmUp));
        var baseline = await UsedMemoryAsync(server);

        var outcomes = new[] { JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled };
        var keys = new List<RedisKey>(Jobs);
        for (var i = 0; i < Jobs; i++)
        {
            var created = (await store.CreateAsync(RedisJobStoreTests.NewJob($"type{i % 5}", owner: i % 3 == 0 ? null : $"user{i % 20}", tags: [$"project:{i % 50}", "all"]), Jobs))!;
            var running = (await store.ReplaceAsync(created, created with { Status = JobStatus.Running, RunId = "r" }))!;
            await store.ReplaceAsync(running, running with { Status = outcomes[i % 3], RunId = null, CompletedAt = time.GetUtcNow(), ExpiresAt = time.GetUtcNow().AddSeconds(1) });
            keys.Add(store.JobKey(created.Id));
        }

        var survivor = (await store.CreateAsync(RedisJobStoreTests.NewJob("type0", owner: "user1", tags: ["all"]), Jobs))!;
        var peakBytes = await UsedMemoryAsync(server) - baseline;

        // Redis deletes the records by their time-to-live before any sweeper ran (no instance was up).
        foreach (var key in keys)
        {
            await db.KeyExpireAsync(key, TimeSpan.FromMilliseconds(1));
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (await db.KeyExistsAsync([.. keys]) > 0)
            {
                timeout.Token.ThrowIfCancellationRequested();
            }
        }

        var stale = await store.GetStatisticsAsync(JobGrouping.Type, null);
        Assert.Equal(Jobs + 1, stale.Overall.Total); // the counts still hold the vanished records…
        var page = await store.QueryAsync(new JobQuery { Tag = "all", PageSize = 100 });
        Assert.Equal(survivor.Id, Assert.Single(page.Items).Id); // …but queries skip them

        Assert.Equal(time.GetUtcNow().AddSeconds(1), await store.GetNextExpiryAsync()); // the sweeper wakes for them
        time.Advance(TimeSpan.FromSeconds(1));
        for (var sweep = 0; sweep < 2 * Jobs / 100 && await db.SortedSetLengthAsync(prefix + "idx:expiry") > 0; sweep++)
        {
            Assert.Empty(await store.RemoveExpiredAsync(time.GetUtcNow(), 100)); // nothing left to remove but index entries
        }

        var statistics = await store.GetStatisticsAsync(JobGrouping.Type, null);
        Assert.Equal(new JobStatusCounts { Pending = 1 }, statistics.Overall);
        Assert.Equal(new JobGroupStatistics("type0", new JobStatusCounts { Pending = 1 }), Assert.Single(statistics.Groups));
        Assert.Equal(new JobGroupStatistics("all", new JobStatusCounts { Pending = 1 }), Assert.Single((await store.GetStatisticsAsync(JobGrouping.Tag, null)).Groups));
        Assert.Equal(new JobGroupStatistics("user1", new JobStatusCounts { Pending = 1 }), Assert.Single((await store.GetStatisticsAsync(JobGrouping.Owner, null)).Groups));

        Assert.True(await store.RemoveAsync(survivor));
        Assert.Equal([prefix + "seq"], server.Keys(pattern: prefix.Replace("{", "\\{").Replace("}", "\\}") + "*").Select(k => k.ToString()));
        var afterBytes = await UsedMemoryAsync(server) - baseline;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Jobs} finished jobs: {peakBytes} B above baseline; after their records expired by TTL and the sweep: {afterBytes} B (Redis shrinks its key tables lazily)"));
        Assert.InRange(afterBytes, long.MinValue, peakBytes / 10);
    }

    private static async Task<long> UsedMemoryAsync(IServer server)
    {
        var info = await server.InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }
}
