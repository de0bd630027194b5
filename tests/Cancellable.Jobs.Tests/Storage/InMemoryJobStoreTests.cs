using Cancellable.Jobs.Storage;
using Cancellable.Jobs.Testing;

namespace Cancellable.Jobs.Tests.Storage;

public sealed class InMemoryJobStoreTests : JobStoreConformanceTests
{
    protected override Task<IJobStore> CreateStoreAsync() => Task.FromResult<IJobStore>(new InMemoryJobStore());

    [Fact]
    public async Task Count_FollowsCreatesAndRemovals()
    {
        var store = (InMemoryJobStore)Store;
        var job = await CreateAsync();
        await CreateAsync();
        Assert.Equal(2, store.Count);

        Assert.True(await store.RemoveAsync(job));

        Assert.Equal(1, store.Count);
    }
}
