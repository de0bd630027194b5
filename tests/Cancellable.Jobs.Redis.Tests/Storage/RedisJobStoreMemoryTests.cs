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

    private static async Task<long> UsedMemoryAsync(IServer server)
    {
        var info = await server.InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }
}
