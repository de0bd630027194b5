using System.Globalization;
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
    public async Task ClaimNext_SeveralPendingOfSeveralTypes_ClaimsUpToTheBufferOfItsTypesOldestFirstUnderEachStart()
    {
        var store = (InMemoryJobStore)Store;
        var alpha1 = await CreateAsync(NewJob("alpha"));
        await CreateAsync(NewJob("beta"));
        var alpha2 = await CreateAsync(NewJob("alpha"));
        var alpha3 = await CreateAsync(NewJob("alpha"));
        var claimed = new JobSnapshot?[2];
        var started = 0;

        var count = store.ClaimNext(["alpha"], j => j with { Status = JobStatus.Running, RunId = $"run{++started}" }, claimed);

        Assert.Equal(2, count);
        Assert.Equal([(alpha1.Id, "run1"), (alpha2.Id, "run2")], claimed.Select(j => (j!.Id, j.RunId!)));
        Assert.All(claimed, j => Assert.Equal(JobStatus.Running, j!.Status));
        Assert.Equal(claimed[0], await store.GetAsync(alpha1.Id));
        Assert.Equal(JobStatus.Pending, (await store.GetAsync(alpha3.Id))!.Status);
        var stats = await store.GetStatisticsAsync(JobGrouping.None, null);
        Assert.Equal((2, 2), (stats.Overall.Pending, stats.Overall.Running));
    }

    [Fact]
    public async Task ClaimNext_FewerPendingThanTheBuffer_ClaimsThoseAndLeavesTheRestOfTheBuffer()
    {
        var store = (InMemoryJobStore)Store;
        var only = await CreateAsync(NewJob("alpha"));
        var claimed = new JobSnapshot?[3];

        Assert.Equal(1, store.ClaimNext(["alpha"], j => j with { Status = JobStatus.Running }, claimed));
        Assert.Equal(only.Id, claimed[0]!.Id);
        Assert.All(claimed[1..], Assert.Null);
        Assert.Equal(0, store.ClaimNext(["alpha"], j => j with { Status = JobStatus.Running }, claimed));
    }

    [Fact]
    public async Task UpdateEach_SeveralJobs_AppliesEachTransitionToTheCurrentRecordAndPublishesInOrder()
    {
        var store = (InMemoryJobStore)Store;
        var first = await MoveAsync(await CreateAsync(), JobStatus.Running);
        var refused = await MoveAsync(await CreateAsync(), JobStatus.Running);
        var finished = await MoveAsync(await MoveAsync(await CreateAsync(), JobStatus.Running), JobStatus.Completed, Now, Now.AddHours(1));
        var last = await CreateAsync();
        var lastNow = (await Store.ReplaceAsync(last, last with { Version = last.Version + 1, Progress = new JobProgress { Fraction = 0.5 } }))!;
        var changes = new List<JobChange>();
        using var subscription = Store.Subscribe(changes.Add);
        var seen = new List<JobSnapshot>();
        string[] ids = [first.Id, refused.Id, "no-such-job", finished.Id, last.Id];
        var updated = new JobSnapshot?[ids.Length];

        store.UpdateEach<string>(
            ids,
            static id => id,
            (job, id) =>
            {
                seen.Add(job);
                return id == refused.Id ? null : job with { Version = job.Version + 1, Owner = "ann" };
            },
            updated);

        // Each transition saw the record as stored now (the last job's after its own update), and nothing for the missing
        // and the finished job.
        Assert.Equal([first, refused, lastNow], seen);
        Assert.Equal([first.Id, null, null, null, last.Id], updated.Select(j => j?.Id));
        Assert.Equal(lastNow.Version + 1, updated[4]!.Version);
        Assert.Equal(0.5, updated[4]!.Progress.Fraction);
        Assert.Equal([updated[0], updated[4]], changes.Select(c => c.Job));
        Assert.Equal(updated[0], await Store.GetAsync(first.Id));
        Assert.Equal(refused, await Store.GetAsync(refused.Id));
        Assert.Equal(1, (await Store.GetStatisticsAsync(JobGrouping.Owner, null)).Groups.Single(g => g.Key == "ann").Counts.Running);
    }

    [Fact]
    public async Task UpdateEach_TransitionThrows_KeepsWhatWasWrittenBeforeItAndLeavesTheRest()
    {
        var store = (InMemoryJobStore)Store;
        var jobs = new[] { await CreateAsync(), await CreateAsync(), await CreateAsync() };
        var marker = NewJob();
        var updated = new JobSnapshot?[] { marker, marker, marker };

        var thrown = Assert.Throws<InvalidOperationException>(() => store.UpdateEach<JobSnapshot>(
            jobs,
            static job => job.Id,
            (job, _) => job.Id == jobs[1].Id ? throw new InvalidOperationException("bad transition") : job with { Version = job.Version + 1, Owner = "ann" },
            updated));

        Assert.Equal("bad transition", thrown.Message);
        Assert.Equal("ann", updated[0]!.Owner);
        Assert.All(updated[1..], j => Assert.Same(marker, j));
        Assert.Equal("ann", (await Store.GetAsync(jobs[0].Id))!.Owner);
        Assert.Equal(jobs[1], await Store.GetAsync(jobs[1].Id));
        Assert.Equal(jobs[2], await Store.GetAsync(jobs[2].Id));
    }

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

    [Fact]
    public async Task GetAsync_FinishedJobWithEveryField_EqualsTheJobAsReplaced()
    {
        var store = (InMemoryJobStore)Store;
        var created = await CreateAsync(NewJob("alpha", "ann", "t1", "t2") with { Id = Guid.NewGuid().ToString("N") });
        var running = await MoveAsync(created, JobStatus.Running);
        var failed = await Store.ReplaceAsync(running, running with
        {
            Status = JobStatus.Failed,
            CompletedAt = Now.AddSeconds(1),
            ExpiresAt = Now.AddHours(1),
            Error = new JobError("System.Exception", "boom", "at somewhere"),
            Messages = [new JobMessage(JobMessageLevel.Error, "boom", Now)],
            Progress = new JobProgress { Fraction = 0.25 },
            Timeout = TimeSpan.FromMinutes(1),
            RunId = null,
        });

        var read = await Store.GetAsync(created.Id);
        var listed = Assert.Single((await Store.QueryAsync(new JobQuery { Status = JobStatus.Failed })).Items);
        var removed = Assert.Single(await Store.TrimFinishedAsync(keep: 0));

        Assert.Equal(failed, read);
        Assert.Equal(failed, listed);
        Assert.Equal(failed, removed);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task CreateAsync_TypeOwnerAndTagsAsNewStrings_StoresTheStringsOfTheFirstJob()
    {
        var first = await CreateAsync(NewJob("alpha", "ann", "t1"));

        var second = await CreateAsync(NewJob(new string("alpha".ToCharArray()), new string("ann".ToCharArray()), new string("t1".ToCharArray())));

        Assert.Same(first.Type, second.Type);
        Assert.Same(first.Owner, second.Owner);
        Assert.Same(first.Tags[0], second.Tags[0]);
    }

    [Fact]
    public async Task ReplaceAsync_ActiveReplacementCarryingTheNextVersion_IsStoredAsIs()
    {
        var created = await CreateAsync();
        var running = created with { Status = JobStatus.Running, StartedAt = Now, Version = created.Version + 1 };

        var stored = await Store.ReplaceAsync(created, running);

        Assert.Same(running, stored);
        Assert.Same(running, await Store.GetAsync(created.Id));
    }

    [Fact]
    public async Task ReplaceAsync_FinishedJobRetried_IsHeldAsTheActiveSnapshotAgain()
    {
        var failed = await CreateFinishedAsync(JobStatus.Failed, Now, Now.AddHours(1));

        var retried = await MoveAsync(failed, JobStatus.Pending);

        Assert.Same(retried, await Store.GetAsync(failed.Id));
        Assert.Null(await Store.GetNextExpiryAsync());
        var claimed = await Store.ClaimNextAsync(["alpha"], j => j with { Status = JobStatus.Running });
        Assert.Equal(retried.Id, claimed?.Id);
    }

    [Fact]
    public async Task CreateAsync_CallersSnapshot_IsCopiedAndLeftAsItWas()
    {
        var job = NewJob("alpha", "ann", "t1");

        var stored = await Store.CreateAsync(job, int.MaxValue);

        Assert.NotSame(job, stored);
        Assert.Equal((0L, 0L), (job.Sequence, job.Version));
        Assert.Equal(1, stored!.Version);
        Assert.True(stored.Sequence > 0);
    }

    [Fact]
    public void CreateOwned_ManagersSnapshot_IsKeptAsTheRecordWithTheIndexStrings()
    {
        var store = (InMemoryJobStore)Store;
        var first = store.CreateOwned(NewJob("alpha", "ann", "t1") with { Version = 1 }, int.MaxValue)!;
        var job = NewJob(new string("alpha".ToCharArray()), new string("ann".ToCharArray()), new string("t1".ToCharArray())) with { Version = 1 };

        var stored = store.CreateOwned(job, int.MaxValue);

        Assert.Same(job, stored);
        Assert.Equal(first.Sequence + 1, stored!.Sequence);
        Assert.Same(first.Owner, stored.Owner);
        Assert.Same(first.Tags[0], stored.Tags[0]);
        Assert.Null(store.CreateOwned(NewJob("alpha", "ann") with { Version = 1 }, maxPendingJobs: 2)); // the bound still holds
    }

    [Fact]
    public async Task ReplaceAsync_FinishedReplacementWithItsOwnOwnerString_KeepsTheIndexString()
    {
        // The compact form made before the lock points at the replacement's strings; those are not the index's here.
        var created = await CreateAsync(NewJob("alpha", "ann"));
        var running = await MoveAsync(created, JobStatus.Running);
        var done = running with
        {
            Status = JobStatus.Completed,
            CompletedAt = Now,
            ExpiresAt = Now.AddHours(1),
            Owner = new string("ann".ToCharArray()),
            Version = running.Version + 1,
        };

        var stored = await Store.ReplaceAsync(running, done);
        var read = await Store.GetAsync(created.Id);

        Assert.Same(done, stored);
        Assert.Equal(done, read);
        Assert.Same(created.Owner, read!.Owner);
    }

    [Fact]
    public async Task Subscribe_EveryWritePath_UpdatedChangesCarryThePreviousStatus()
    {
        var store = (InMemoryJobStore)Store;
        var changes = new List<JobChange>();
        using var subscription = Store.Subscribe(changes.Add);
        var first = await CreateAsync();
        var second = await CreateAsync();

        // The claim one at a time and the runner's batch claim: Pending → Running.
        var claimed = (await Store.ClaimNextAsync(["alpha"], j => j with { Status = JobStatus.Running, StartedAt = Now, RunId = "r1" }))!;
        var batch = new JobSnapshot?[1];
        Assert.Equal(1, store.ClaimNext(["alpha"], j => j with { Status = JobStatus.Running, StartedAt = Now, RunId = "r2" }, batch));

        // A progress write made by a transition (it carries the next version): Running → Running.
        var progressed = (await Store.ReplaceAsync(claimed, claimed with { Progress = new JobProgress { Fraction = 0.5 }, Version = claimed.Version + 1 }))!;

        // A cancel request stored from a replacement that does not carry the version: Running → Cancelling.
        var cancelling = (await Store.ReplaceAsync(progressed, progressed with { Status = JobStatus.Cancelling }))!;

        // The runner's ends: Cancelling → Cancelled and Running → Completed.
        var ended = new JobSnapshot?[2];
        store.UpdateEach<string>(
            [cancelling.Id, batch[0]!.Id],
            static id => id,
            (job, _) => job with
            {
                Status = job.Status == JobStatus.Cancelling ? JobStatus.Cancelled : JobStatus.Completed,
                CompletedAt = Now,
                ExpiresAt = Now.AddHours(1),
                RunId = null,
                Version = job.Version + 1,
            },
            ended);

        // A retry of the finished job: Cancelled → Pending; then both removed.
        var retried = await MoveAsync(ended[0]!, JobStatus.Pending);
        Assert.True(await Store.RemoveAsync(retried));
        Assert.Single(await Store.TrimFinishedAsync(keep: 0));

        Assert.Equal(
            [
                (JobChangeKind.Created, first.Id, JobStatus.Pending, (JobStatus?)null),
                (JobChangeKind.Created, second.Id, JobStatus.Pending, null),
                (JobChangeKind.Updated, first.Id, JobStatus.Running, JobStatus.Pending),
                (JobChangeKind.Updated, second.Id, JobStatus.Running, JobStatus.Pending),
                (JobChangeKind.Updated, first.Id, JobStatus.Running, JobStatus.Running),
                (JobChangeKind.Updated, first.Id, JobStatus.Cancelling, JobStatus.Running),
                (JobChangeKind.Updated, first.Id, JobStatus.Cancelled, JobStatus.Cancelling),
                (JobChangeKind.Updated, second.Id, JobStatus.Completed, JobStatus.Running),
                (JobChangeKind.Updated, first.Id, JobStatus.Pending, JobStatus.Cancelled),
                (JobChangeKind.Removed, first.Id, JobStatus.Pending, null),
                (JobChangeKind.Removed, second.Id, JobStatus.Completed, null),
            ],
            changes.Select(c => (c.Kind, c.Job.Id, c.Job.Status, c.PreviousStatus)));
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
                        // Ids of 32 lowercase hex digits are kept as numbers once the job finishes; others as text.
                        Id = n % 2 == 0 ? $"j{n++}" : (n++).ToString("x32", CultureInfo.InvariantCulture),
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
                        Error = status == JobStatus.Failed ? new JobError("E", $"failed at {command}", null) : null,
                        Attempt = pick.Status.IsTerminal() && !status.IsTerminal() ? pick.Attempt + 1 : pick.Attempt,
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

        // Finished jobs are held in a compact form: what is read back equals what was written, field by field.
        foreach (var job in model.Values)
        {
            Assert.Equal(job, store.GetAsync(job.Id).AsTask().Result);
        }

        var page = store.QueryAsync(new JobQuery { PageSize = 1000 }).AsTask().Result.Items;
        Assert.Equal(model.Values.OrderByDescending(j => j.Sequence), page);
        var indexes = store.GetIndexCounts();
        var groupEntries = model.Values.Sum(j => 1 + (j.Owner is null ? 0 : 1) + j.Tags.Count);
        Assert.Equal(
            (model.Count, model.Count, model.Count, groupEntries, model.Values.Count(j => j.ExpiresAt is not null), model.Values.Count(j => j.Status.IsTerminal())),
            (indexes.Jobs, indexes.All, indexes.ByStatus, indexes.GroupEntries, indexes.ByExpiry, indexes.ByCompletion));
    }
}
