using System.Collections.Concurrent;

namespace Cancellable.Jobs.Testing;

public abstract partial class JobStoreConformanceTests
{
    [Fact]
    public async Task Subscribe_EachWrite_DeliveredOnceVisibleThroughGetAsync()
    {
        var received = new ConcurrentQueue<(JobChange Change, Task<JobSnapshot?> Read)>();
        using var arrived = new SemaphoreSlim(0);
        using var subscription = Store.Subscribe(change =>
        {
            // Read at once, from inside the callback: the write must already be visible.
            received.Enqueue((change, Store.GetAsync(change.Job.Id).AsTask()));
            arrived.Release();
        });

        var created = await CreateAsync();
        var (change, read) = await NextAsync();
        Assert.Equal(JobChangeKind.Created, change.Kind);
        Assert.Equal((created.Id, 1L), (change.Job.Id, change.Job.Version));
        Assert.Equal(1, (await read)!.Version);

        var running = await MoveAsync(created, JobStatus.Running);
        (change, read) = await NextAsync();
        Assert.Equal(JobChangeKind.Updated, change.Kind);
        Assert.Equal((JobStatus.Running, 2L), (change.Job.Status, change.Job.Version));
        Assert.Equal(2, (await read)!.Version);

        Assert.True(await Store.RemoveAsync(running));
        (change, read) = await NextAsync();
        Assert.Equal(JobChangeKind.Removed, change.Kind);
        Assert.Equal((created.Id, 2L, JobStatus.Running), (change.Job.Id, change.Job.Version, change.Job.Status));
        Assert.Null(await read);
        Assert.Empty(received);

        async Task<(JobChange, Task<JobSnapshot?>)> NextAsync()
        {
            Assert.True(await arrived.WaitAsync(HangTimeout), "No change arrived.");
            Assert.True(received.TryDequeue(out var next));
            return next;
        }
    }

    [Fact]
    public async Task Subscribe_ClaimAndSweeps_PublishChanges()
    {
        var changes = new ConcurrentQueue<JobChange>();
        var expired = await CreateFinishedAsync(JobStatus.Completed, Now, Now);
        var trimmed = await CreateFinishedAsync(JobStatus.Failed, Now);
        var pending = await CreateAsync();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Store.Subscribe(change =>
        {
            changes.Enqueue(change);
            if (changes.Count == 3)
            {
                done.TrySetResult();
            }
        });

        await Store.ClaimNextAsync(["alpha"], Start);
        await Store.RemoveExpiredAsync(Now, 10);
        await Store.TrimFinishedAsync(0);
        await done.Task.WaitAsync(HangTimeout);

        Assert.Contains(changes, c => c.Kind == JobChangeKind.Updated && c.Job.Id == pending.Id && c.Job.Status == JobStatus.Running);
        Assert.Contains(changes, c => c.Kind == JobChangeKind.Removed && c.Job.Id == expired.Id);
        Assert.Contains(changes, c => c.Kind == JobChangeKind.Removed && c.Job.Id == trimmed.Id);
    }

    [Fact]
    public async Task Subscribe_ConcurrentWritersOfManyJobs_DeliversInOrderPerJob()
    {
        const int Jobs = 8, Updates = 10;
        var changes = new ConcurrentQueue<JobChange>();
        var removed = 0;
        var allRemoved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Store.Subscribe(change =>
        {
            changes.Enqueue(change);
            if (change.Kind == JobChangeKind.Removed && Interlocked.Increment(ref removed) == Jobs)
            {
                allRemoved.TrySetResult();
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Jobs).Select(_ => Task.Run(async () =>
        {
            var job = await CreateAsync();
            for (var i = 0; i < Updates; i++)
            {
                job = (await Store.ReplaceAsync(job, job with { Progress = new JobProgress { Fraction = i / (double)Updates } }))!;
            }

            Assert.True(await Store.RemoveAsync(job));
        })));
        await allRemoved.Task.WaitAsync(HangTimeout);

        foreach (var perJob in changes.GroupBy(c => c.Job.Id))
        {
            var list = perJob.ToList();
            Assert.Equal(Updates + 2, list.Count);
            Assert.Equal(JobChangeKind.Created, list[0].Kind);
            Assert.All(list.Skip(1).SkipLast(1), c => Assert.Equal(JobChangeKind.Updated, c.Kind));
            Assert.Equal(JobChangeKind.Removed, list[^1].Kind);
            Assert.Equal(Enumerable.Range(1, Updates + 1).Select(v => (long)v), list.SkipLast(1).Select(c => c.Job.Version));
            Assert.Equal(Updates + 1, list[^1].Job.Version);
        }

        Assert.Equal(Jobs, changes.Select(c => c.Job.Id).Distinct().Count());
    }

    [Fact]
    public async Task Subscribe_Disposed_StopsDelivery()
    {
        var disposedSeen = new ConcurrentQueue<JobChange>();
        var activeSeen = new TaskCompletionSource<JobChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        var disposed = Store.Subscribe(disposedSeen.Enqueue);
        using var active = Store.Subscribe(change => activeSeen.TrySetResult(change));

        disposed.Dispose();
        disposed.Dispose();
        var job = await CreateAsync();
        var change = await activeSeen.Task.WaitAsync(HangTimeout);

        Assert.Equal(job.Id, change.Job.Id);
        Assert.Empty(disposedSeen);
    }
}
