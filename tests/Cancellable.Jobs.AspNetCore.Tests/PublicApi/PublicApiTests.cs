using Cancellable.Jobs.AspNetCore;
using Cancellable.Jobs.Tests.PublicApi;

namespace Cancellable.Jobs.AspNetCore.Tests.PublicApi;

/// <summary>Tracks the public API of Cancellable.Jobs.AspNetCore: see <see cref="PublicApiSnapshot"/>.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void GeneratePublicApi_CancellableJobsAspNetCore_MatchesApprovedSnapshot() =>
        PublicApiSnapshot.AssertMatchesApproved(typeof(CancellableJobsEndpointOptions).Assembly, typeof(PublicApiTests).Assembly);
}
