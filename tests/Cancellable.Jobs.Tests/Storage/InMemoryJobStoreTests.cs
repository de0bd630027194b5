using Cancellable.Jobs.Storage;
using Cancellable.Jobs.Testing;
using FsCheck.Xunit;

namespace Cancellable.Jobs.Tests.Storage;

/// <summary>
/// Runs the store conformance suite against <see cref="InMemoryJobStore"/>, plus a model-based property test of its
/// indexes.
/// </summary>
public sealed class InMemoryJobStoreTests : JobStoreConformanceTests
{
    private static readonly string[] Types = ["alpha", "beta"];
    private static readonly string?[] Owners = ["ann", "bob", null];
    private static readonly string[] Tags = ["t1", "t2"];

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

    /// <summary>
    /// Random writes (creates, status changes, stale writes, removals, claims, sweeps) against the store and a plain
    /// dictionary; after every step, reads, listings and counts of the store agree with the model.
    /// </summary>
    [Property(MaxTest = 200)]
    public void Operations_RandomSequence_AgreeWithModel(byte[] commands)
    {
        var store = new InMemoryJobStore();
        var model = new Dictionary<string, JobSnapshot>(StringComparer.Ordinal);
        var stale = new List<JobSnapshot>();
        var now = Now;
        var n = 0;

        foreach (var command in commands)
        {
            var pick = model.Count == 0 ? null : model.Values.OrderBy(j => j.Sequence).ElementAt(command % model.Count);
            switch (command % 7)
            {
                case 0 or 1:
                    var job = new JobSnapshot
                    {
                        Id = $"j{n++}",
                        Type = Types[command % 2],
                        Owner = Owners[command % 3],
                        Tags = command % 4 == 0 ? [] : [Tags[command % 2]],
                        Status = JobStatus.Pending,
                        CreatedAt = now,
                    };
                    var created = store.CreateAsync(job, maxPendingJobs: 8).AsTask().Result;
                    var pendingBefore = model.Values.Count(j => j.Status == JobStatus.Pending);
                    Assert.Equal(pendingBefore < 8, created is not null);
                    if (created is not null)
                    {
                        model[created.Id] = created;
                    }

                    break;
                case 2 when pick is not null:
                    var status = (JobStatus)(command % 6);
                    var replaced = store.ReplaceAsync(pick, pick with
                    {
                        Status = status,
                        CompletedAt = status.IsTerminal() ? now : null,
                        ExpiresAt = status.IsTerminal() ? now.AddSeconds(command % 5) : null,
                    }).AsTask().Result!;
                    Assert.Equal(pick.Version + 1, replaced.Version);
                    stale.Add(pick);
                    model[replaced.Id] = replaced;
                    break;
                case 3 when stale.Count > 0:
                    var old = stale[command % stale.Count];
                    Assert.Null(store.ReplaceAsync(old, old with { Owner = "stale" }).AsTask().Result);
                    Assert.False(store.RemoveAsync(old).AsTask().Result);
                    break;
                case 4 when pick is not null:
                    Assert.True(store.RemoveAsync(pick).AsTask().Result);
                    model.Remove(pick.Id);
                    break;
                case 5:
                    var type = Types[command % 2];
                    var oldest = model.Values.Where(j => j.Status == JobStatus.Pending && j.Type == type).MinBy(j => j.Sequence);
                    var claimed = store.ClaimNextAsync([type], j => j with { Status = JobStatus.Running }).AsTask().Result;
                    Assert.Equal(oldest?.Id, claimed?.Id);
                    if (claimed is not null)
                    {
                        model[claimed.Id] = claimed;
                    }

                    break;
                case 6:
                    now = now.AddSeconds(command % 3);
                    var expired = model.Values.Where(j => j.ExpiresAt <= now).OrderBy(j => j.ExpiresAt).ThenBy(j => j.Sequence).Take(2).Select(j => j.Id).ToList();
                    Assert.Equal(expired, store.RemoveExpiredAsync(now, 2).AsTask().Result.Select(j => j.Id));
                    expired.ForEach(id => model.Remove(id));
                    break;
            }

            AssertAgrees(store, model);
        }
    }

    private static void AssertAgrees(InMemoryJobStore store, Dictionary<string, JobSnapshot> model)
    {
        Assert.Equal(model.Count, store.Count);
        var stats = store.GetStatisticsAsync(JobGrouping.Tag, null).AsTask().Result;
        foreach (var status in Enum.GetValues<JobStatus>())
        {
            Assert.Equal(model.Values.Count(j => j.Status == status), stats.Overall[status]);
        }

        foreach (var tag in Tags)
        {
            var counted = stats.Groups.SingleOrDefault(g => g.Key == tag)?.Counts.Total ?? 0;
            Assert.Equal(model.Values.Count(j => j.Tags.Contains(tag)), counted);
        }

        var filter = new JobQuery { Type = "alpha", Owner = "ann", PageSize = 1000 };
        Assert.Equal(
            model.Values.Where(filter.Matches).OrderByDescending(j => j.Sequence).Select(j => (j.Id, j.Version)),
            store.QueryAsync(filter).AsTask().Result.Items.Select(j => (j.Id, j.Version)));
        Assert.Equal(model.Values.Min(j => j.ExpiresAt), store.GetNextExpiryAsync().AsTask().Result);
    }
}
