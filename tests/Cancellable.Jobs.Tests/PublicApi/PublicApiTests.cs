namespace Cancellable.Jobs.Tests.PublicApi;

/// <summary>Tracks the public API of Cancellable.Jobs: see <see cref="PublicApiSnapshot"/>.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void GeneratePublicApi_CancellableJobs_MatchesApprovedSnapshot() =>
        PublicApiSnapshot.AssertMatchesApproved(typeof(IJobManager).Assembly, typeof(PublicApiTests).Assembly);
}
