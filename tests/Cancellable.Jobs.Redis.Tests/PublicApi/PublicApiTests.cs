using Cancellable.Jobs.Redis.Storage;
using Cancellable.Jobs.Tests.PublicApi;

namespace Cancellable.Jobs.Redis.Tests.PublicApi;

/// <summary>Tracks the public API of Cancellable.Jobs.Redis: see <see cref="PublicApiSnapshot"/>.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void GeneratePublicApi_CancellableJobsRedis_MatchesApprovedSnapshot() =>
        PublicApiSnapshot.AssertMatchesApproved(typeof(RedisJobStoreOptions).Assembly, typeof(PublicApiTests).Assembly);
}
