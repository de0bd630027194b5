using Cancellable.Jobs.Redis.Storage;
using Cancellable.Jobs.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Cancellable.Jobs.Redis.Tests.Storage;

/// <summary>
/// Random command sequences run against <see cref="RedisJobStore"/> and, as the model, <see cref="InMemoryJobStore"/>;
/// after every step the two must answer every query and count alike, so the Lua-maintained indexes never drift.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisJobStoreModelTests(RedisServerFixture redis)
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Types = ["a", "b", "c"];
    private static readonly string[] Owners = ["ana", "bob"];
    private static readonly string[] Tags = ["x", "y", "z"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task RandomCommands_AfterEveryStep_RedisAnswersLikeTheModel(int seed)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider(T0);
        using var redisStore = new RedisJobStore(redis.Connection, new RedisJobStoreOptions { KeyPrefix = RedisServerFixture.NewPrefix() }, time);
        var model = new InMemoryJobStore();
        IJobStore[] stores = [redisStore, model];

        for (var step = 0; step < 120; step++)
        {
            var known = (await model.QueryAsync(new JobQuery { PageSize = JobQuery.MaxPageSize })).Items;
            var pick = known.Count == 0 ? null : known[random.Next(known.Count)];
            var command = random.Next(10);
            var description = $"seed {seed} step {step} command {command}";
            switch (command)
            {
                case < 3:
                    var job = RedisJobStoreTests.NewJob(Types[random.Next(3)], random.Next(3) == 0 ? null : Owners[random.Next(2)], [.. Tags.Where(_ => random.Next(2) == 0)]);
                    var max = random.Next(5, 40);
                    await BothAsync(stores, description, s => s.CreateAsync(job, max).AsTask(), (r, m) => Assert.Equal(m?.Sequence, r?.Sequence));
                    break;
                case < 6 when pick is not null:
                    var next = Transition(pick, random, time.GetUtcNow());
                    await BothAsync(stores, description, s => s.ReplaceAsync(pick, next).AsTask(), (r, m) => Assert.Equal(m?.Version, r?.Version));
                    break;
                case 6 when pick is not null:
                    await BothAsync(stores, description, s => s.RemoveAsync(pick).AsTask(), Assert.Equal);
                    break;
                case 7:
                    string[] types = [.. Types.Where(_ => random.Next(2) == 0)];
                    await BothAsync(stores, description, s => s.ClaimNextAsync(types, j => j with { Status = JobStatus.Running, RunId = "r" }).AsTask(), (r, m) => Assert.Equal(m?.Id, r?.Id));
                    break;
                case 8:
                    var now = time.GetUtcNow().AddMinutes(random.Next(0, 90));
                    var count = random.Next(1, 4);
                    await BothAsync(stores, description, s => s.RemoveExpiredAsync(now, count).AsTask(), (r, m) => Assert.Equal(m.Select(j => j.Id), r.Select(j => j.Id)));
                    break;
                default:
                    var keep = random.Next(0, 8);
                    await BothAsync(stores, description, s => s.TrimFinishedAsync(keep).AsTask(), (r, m) => Assert.Equal(m.Select(j => j.Id), r.Select(j => j.Id)));
                    break;
            }

            time.Advance(TimeSpan.FromMinutes(random.Next(0, 5)));
            await AssertSameAsync(redisStore, model, description);
        }
    }

    private static JobSnapshot Transition(JobSnapshot job, Random random, DateTimeOffset now)
    {
        var status = (JobStatus)random.Next(6);
        return status.IsTerminal()
            ? job with { Status = status, CompletedAt = now, ExpiresAt = now.AddMinutes(random.Next(1, 60)) }
            : job with { Status = status, CompletedAt = null, ExpiresAt = null, Owner = random.Next(4) == 0 ? "carl" : job.Owner };
    }

    private static async Task BothAsync<T>(IJobStore[] stores, string description, Func<IJobStore, Task<T>> command, Action<T, T> same)
    {
        var onRedis = await command.Invoke(stores[0]);
        var onModel = await command.Invoke(stores[1]);
        try
        {
            same(onRedis, onModel);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"{description}: results differ", ex);
        }
    }

    private static async Task AssertSameAsync(RedisJobStore redisStore, InMemoryJobStore model, string description)
    {
        foreach (var grouping in Enum.GetValues<JobGrouping>())
        {
            var expected = await model.GetStatisticsAsync(grouping, null);
            var actual = await redisStore.GetStatisticsAsync(grouping, null);
            Assert.True(expected.Overall == actual.Overall, $"{description}: overall counts by {grouping}");
            Assert.Equal(expected.Groups, actual.Groups);
        }

        JobFilter[] filters = [new(), new() { Status = JobStatus.Pending }, new() { Type = "a" }, new() { Owner = "ana", Tag = "x" }, new() { Tag = "z", Status = JobStatus.Completed }];
        foreach (var filter in filters)
        {
            var query = new JobQuery { Status = filter.Status, Type = filter.Type, Owner = filter.Owner, Tag = filter.Tag, PageSize = 1000 };
            var expected = (await model.QueryAsync(query)).Items.Select(j => (j.Id, j.Version));
            var actual = (await redisStore.QueryAsync(query)).Items.Select(j => (j.Id, j.Version));
            Assert.True(expected.SequenceEqual(actual), $"{description}: query {filter}");
        }

        Assert.Equal(await model.GetNextExpiryAsync(), await redisStore.GetNextExpiryAsync());
    }
}
