using System.Collections.Concurrent;

namespace Cancellable.Jobs.Testing;

public abstract partial class JobStoreConformanceTests
{
    [Fact]
    public async Task ClaimNextAsync_SeveralPending_TakesOldestFirst()
    {
        var first = await CreateAsync();
        var second = await CreateAsync();

        var claimed = await Store.ClaimNextAsync(["alpha"], Start);

        Assert.NotNull(claimed);
        Assert.Equal(first.Id, claimed.Id);
        Assert.Equal(JobStatus.Running, claimed.Status);
        Assert.Equal(first.Version + 1, claimed.Version);
        Assert.Equal(first.Sequence, claimed.Sequence);
        Assert.Equal(JobStatus.Running, (await Store.GetAsync(first.Id))!.Status);
        Assert.Equal(second.Id, (await Store.ClaimNextAsync(["alpha"], Start))!.Id);
        Assert.Null(await Store.ClaimNextAsync(["alpha"], Start));
    }

    [Fact]
    public async Task ClaimNextAsync_OtherTypes_TakesOnlyTheGivenTypes()
    {
        var alpha = await CreateAsync("alpha");
        var beta = await CreateAsync("beta");
        await CreateAsync("gamma");

        Assert.Null(await Store.ClaimNextAsync(["delta"], Start));
        Assert.Equal(beta.Id, (await Store.ClaimNextAsync(["beta", "delta"], Start))!.Id);
        Assert.Equal(alpha.Id, (await Store.ClaimNextAsync(["alpha", "beta"], Start))!.Id);
        Assert.Null(await Store.ClaimNextAsync(["alpha", "beta"], Start));
    }

    [Fact]
    public async Task ClaimNextAsync_OlderJobNoLongerPending_SkipsIt()
    {
        var older = await CreateAsync();
        var newer = await CreateAsync();
        await MoveAsync(older, JobStatus.Cancelled);

        Assert.Equal(newer.Id, (await Store.ClaimNextAsync(["alpha"], Start))!.Id);
    }

    [Fact]
    public async Task ClaimNextAsync_NothingPending_ReturnsNull()
    {
        Assert.Null(await Store.ClaimNextAsync(["alpha"], Start));
    }

    [Fact]
    public async Task ClaimNextAsync_ManyConcurrentClaimers_NeverClaimSameJobTwice()
    {
        const int Jobs = 200;
        var created = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Jobs; i++)
        {
            created.Add((await CreateAsync(i % 2 == 0 ? "alpha" : "beta")).Id);
        }

        var claimed = new ConcurrentBag<string>();
        using var go = new ManualResetEventSlim();
        var claimers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            go.Wait(HangTimeout);
            while (await Store.ClaimNextAsync(["alpha", "beta"], Start) is { } job)
            {
                claimed.Add(job.Id);
            }
        })).ToArray();
        go.Set();
        await Task.WhenAll(claimers).WaitAsync(HangTimeout);

        Assert.Equal(Jobs, claimed.Count);
        Assert.Equal(created, claimed.ToHashSet(StringComparer.Ordinal));
        Assert.Equal(Jobs, (await Store.GetStatisticsAsync(JobGrouping.None, null)).Overall.Running);
    }
}
