using Cancellable.Jobs.Redis.Storage;
using Cancellable.Jobs.Storage;
using Cancellable.Jobs.Testing;

namespace Cancellable.Jobs.Redis.Tests.Storage;

/// <summary>
/// The shared store conformance suite, run against <see cref="RedisJobStore"/> on a real Redis; each test gets a key
/// prefix of its own, so it starts from an empty store.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisJobStoreConformanceTests(RedisServerFixture redis) : JobStoreConformanceTests
{
    protected override Task<IJobStore> CreateStoreAsync() =>
        Task.FromResult<IJobStore>(new RedisJobStore(redis.Connection, new RedisJobStoreOptions { KeyPrefix = RedisServerFixture.NewPrefix() }));
}
