using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Reliability;

/// <summary>
/// Watchers (<see cref="IJobManager.WatchAsync(JobFilter?, CancellationToken)"/>) that stop reading: each holds at most
/// <see cref="CancellableJobsOptions.WatcherBufferSize"/> changes, drops the oldest, and never holds up the jobs.
/// </summary>
public sealed class WatcherTests
{
    private const int BufferSize = 64;

    [Fact]
    public async Task WatchAll_WatchersNeverRead_JobsStillRunAndEachWatcherKeepsOnlyTheLatestBufferSizeChanges()
    {
        const int Watchers = 50;
        const int Jobs = 1_000;
        await using var host = await JobsHost.StartAsync(o => o.WatcherBufferSize = BufferSize);
        // Each watcher takes the first change, then reads nothing more.
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(host.Timeout);
        var watches = Enumerable.Range(0, Watchers).Select(_ => host.Manager.WatchAsync(filter: null, stopWatching.Token).GetAsyncEnumerator(stopWatching.Token)).ToList();
        var firsts = watches.Select(w => w.MoveNextAsync().AsTask()).ToList();

        // Subscribed after the watchers, so it hears each change after them: once it has heard every job complete, every
        // watcher has been offered every change. (A job reads as completed in the store a moment before the change is
        // published, so waiting for the jobs alone is not enough.)
        var published = new List<JobChange>();
        var completed = 0;
        var allCompleted = JobsHost.NewSignal();
        using var recording = host.Store.Subscribe(change =>
        {
            lock (published)
            {
                published.Add(change);
                if (change.Job.Status == JobStatus.Completed && ++completed == Jobs)
                {
                    allCompleted.TrySetResult();
                }
            }
        });
        var jobs = new List<JobSnapshot>();
        for (var i = 0; i < Jobs; i++)
        {
            jobs.Add(await host.StartScriptAsync((context, _) =>
            {
                context.ReportProgress(1, 2, "half");
                context.Info("working");
                return Task.CompletedTask;
            }));
        }

        Assert.All(await Task.WhenAll(firsts), Assert.True);
        foreach (var job in jobs)
        {
            Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(job.Id)).Status);
        }

        await allCompleted.Task.WaitAsync(host.Timeout);

        JobChange[] all;
        lock (published)
        {
            Assert.True(published.Count >= 3 * Jobs); // created, running, completed
            all = [.. published];
        }

        var pendingReads = new List<Task<bool>>();
        foreach (var watch in watches)
        {
            // The newest changes, in order, by reference. A watcher whose first read resumed only after the flood holds
            // one fewer: that read took the oldest change then buffered.
            var (buffered, pending) = Drain(watch);
            Assert.InRange(buffered.Count, BufferSize - 1, BufferSize);
            Assert.Equal(all.TakeLast(buffered.Count), buffered);
            pendingReads.Add(pending);
        }

        await stopWatching.CancelAsync();
        foreach (var (watch, pending) in watches.Zip(pendingReads))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
            await watch.DisposeAsync();
        }
    }

    [Fact]
    public async Task WatchJob_WatcherStopsReadingABusyJob_SkipsAheadToItsLatestVersions()
    {
        await using var host = await JobsHost.StartAsync(o => o.WatcherBufferSize = BufferSize);
        var step = new SemaphoreSlim(0);
        var reported = new SemaphoreSlim(0);
        var job = await host.StartScriptAsync(async (context, ct) =>
        {
            for (var i = 0; ; i++)
            {
                await step.WaitAsync(ct);
                context.ReportProgress(i % 1_000, 1_000);
                reported.Release();
            }
        });
        await host.WaitForAsync(job.Id, j => j.Status == JobStatus.Running);
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(host.Timeout);
        var watch = host.Manager.WatchAsync(job.Id, stopWatching.Token).GetAsyncEnumerator(stopWatching.Token);
        Assert.True(await watch.MoveNextAsync());
        var first = watch.Current.Job.Version;

        // Each flush of the busy job is a new version; the watcher reads none of them.
        for (var i = 0; i < 4 * BufferSize; i++)
        {
            step.Release();
            await reported.WaitAsync(host.Timeout);
            host.Time.Advance(TimeSpan.FromMilliseconds(250));
        }

        await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout);
        var final = await host.WaitForCompletionAsync(job.Id);
        Assert.True(final.Version > first + (2 * BufferSize), $"only {final.Version - first} versions were written");

        var (buffered, pending) = Drain(watch);
        await stopWatching.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        await watch.DisposeAsync();

        Assert.InRange(buffered.Count, 1, BufferSize);
        Assert.Equal(final.Version, buffered[^1].Job.Version);
        Assert.Equal(JobStatus.Cancelled, buffered[^1].Job.Status);
        Assert.Equal(buffered.Select(c => c.Job.Version).Order(), buffered.Select(c => c.Job.Version));
        Assert.Equal(buffered.Count, buffered.Select(c => c.Job.Version).Distinct().Count());
    }

    /// <summary>Reads what the watcher holds now, and returns with the first read that has to wait for a new change.</summary>
    private static (List<JobChange> Buffered, Task<bool> Pending) Drain(IAsyncEnumerator<JobChange> watch)
    {
        var buffered = new List<JobChange>();
        while (true)
        {
            var next = watch.MoveNextAsync();
            if (!next.IsCompleted)
            {
                return (buffered, next.AsTask());
            }

            Assert.True(next.Result);
            buffered.Add(watch.Current);
        }
    }
}
