using Cancellable.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Cancellable.Jobs.Tests.Hosting;

/// <summary>
/// The runner's poll: what it does when the store's change notifications do not reach it, as happens when another
/// process writes to a shared store and the notification is lost.
/// </summary>
public sealed class JobRunnerPollTests
{
    public sealed record Input(int N);

    public sealed class BlockingJob(Probe probe) : IJob<Input>
    {
        public async Task ExecuteAsync(Input input, JobContext context, CancellationToken cancellationToken)
        {
            probe.Token = cancellationToken;
            using var registration = cancellationToken.Register(() => probe.Cancelled.TrySetResult());
            probe.Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    public sealed class Probe
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken Token { get; set; }
    }

    [Fact]
    public async Task Poll_CreatedNotificationLost_ClaimsTheJobAtTheNextPoll()
    {
        var (host, time, store, probe) = await StartHostAsync();
        using var _ = host;
        var manager = host.Services.GetRequiredService<IJobManager>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // The runner's loop runs beside the test: create the job only once it went to sleep, having found nothing on its
        // last look before sleeping (it looks twice), so that only the lost notification could have woken it.
        await store.EmptyClaims(2).WaitAsync(timeout.Token);
        var job = await manager.StartAsync("block", new Input(1), cancellationToken: timeout.Token);
        Assert.Equal(1, store.Dropped);
        Assert.Equal(JobStatus.Pending, (await manager.GetAsync(job.Id, timeout.Token))!.Status);

        time.Advance(TimeSpan.FromSeconds(2));
        await probe.Started.Task.WaitAsync(timeout.Token);

        Assert.Equal(JobStatus.Running, (await manager.GetAsync(job.Id, timeout.Token))!.Status);
        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task Poll_CancelNotificationLost_CancelsTheRunningJobAtTheNextPoll()
    {
        var (host, time, store, probe) = await StartHostAsync(createFirst: true);
        using var _ = host;
        var manager = host.Services.GetRequiredService<IJobManager>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await probe.Started.Task.WaitAsync(timeout.Token);
        var job = (await manager.ListAsync(new JobQuery(), timeout.Token)).Items.Single();

        // Another process records the cancellation in the shared store; its notification never arrives here.
        var cancelled = await store.ReplaceAsync(job, JobTransitions.Cancel(job, time.GetUtcNow(), JobCancelReason.Requested, "elsewhere", _ => TimeSpan.FromHours(1))!, timeout.Token);
        Assert.Equal(JobStatus.Cancelling, cancelled!.Status);
        Assert.False(probe.Token.IsCancellationRequested);

        time.Advance(TimeSpan.FromSeconds(2));
        var done = await manager.WaitForCompletionAsync(job.Id, timeout.Token);

        Assert.True(probe.Token.IsCancellationRequested);
        Assert.Equal(JobStatus.Cancelled, done!.Status);
        Assert.Equal("elsewhere", done.CancelRequestedBy);
        Assert.True(store.Dropped > 0);
    }

    [Fact]
    public async Task Poll_RecordTakenOverByAnotherRun_CancelsItsOwnCopyAsStaleAndItsEndIsRefused()
    {
        var (host, time, store, probe) = await StartHostAsync(createFirst: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await probe.Started.Task.WaitAsync(timeout.Token);
        var manager = host.Services.GetRequiredService<IJobManager>();
        var running = (await manager.ListAsync(new JobQuery(), timeout.Token)).Items.Single();
        var failed = (await store.ReplaceAsync(running, running with
        {
            Status = JobStatus.Failed,
            CancelReason = JobCancelReason.Stale,
            CompletedAt = time.GetUtcNow(),
            RunId = "someone-else",
        }, timeout.Token))!;
        Assert.False(probe.Token.IsCancellationRequested);

        time.Advance(TimeSpan.FromSeconds(2));
        await probe.Cancelled.Task.WaitAsync(timeout.Token);
        await host.StopAsync(timeout.Token); // waits for the run to end and try its final write

        var after = await manager.GetAsync(running.Id, timeout.Token);
        Assert.Equal(failed.Version, after!.Version);
        Assert.Equal(JobStatus.Failed, after.Status);
        host.Dispose();
    }

    [Fact]
    public async Task LocalCancel_AnotherJobsCancelPublishedOnTheSameThreadInsideItsWrite_TheChangeFeedFiresThatToken()
    {
        // The runner leaves a local cancel's token to its caller, and only that job's: a store may publish other changes
        // on the writing thread meanwhile (here, another process's cancel of a second job), and those still count.
        var (host, time, store, _) = await StartHostAsync(loseNotifications: false);
        using var _ = host;
        var manager = host.Services.GetRequiredService<IJobManager>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var local = await manager.StartAsync("block", new Input(1), cancellationToken: timeout.Token);
        var remote = await manager.StartAsync("block", new Input(2), cancellationToken: timeout.Token);
        var running = await RunningAsync(manager, remote.Id, timeout.Token);
        await RunningAsync(manager, local.Id, timeout.Token);
        store.BeforeNextReplace = (running, JobTransitions.Cancel(running, time.GetUtcNow(), JobCancelReason.Requested, "elsewhere", _ => TimeSpan.FromHours(1))!);

        var cancel = await Task.Run(() => manager.CancelAsync(local.Id, "here").AsTask().GetAwaiter().GetResult());

        Assert.Equal(JobCommandOutcome.Accepted, cancel.Outcome);
        Assert.Null(store.BeforeNextReplace);
        var localDone = await manager.WaitForCompletionAsync(local.Id, timeout.Token);
        var remoteDone = await manager.WaitForCompletionAsync(remote.Id, timeout.Token); // the clock stands still: no poll
        Assert.Equal((JobStatus.Cancelled, "here"), (localDone!.Status, localDone.CancelRequestedBy));
        Assert.Equal((JobStatus.Cancelled, "elsewhere"), (remoteDone!.Status, remoteDone.CancelRequestedBy));
        await host.StopAsync(timeout.Token);

        static async Task<JobSnapshot> RunningAsync(IJobManager manager, string jobId, CancellationToken cancellationToken)
        {
            await foreach (var change in manager.WatchAsync(jobId, cancellationToken))
            {
                if (change.Job.Status == JobStatus.Running)
                {
                    return change.Job;
                }
            }

            throw new InvalidOperationException($"Job {jobId} ended before it ran.");
        }
    }

    private static async Task<(IHost Host, FakeTimeProvider Time, LossyStore Store, Probe Probe)> StartHostAsync(bool createFirst = false, bool loseNotifications = true)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = new LossyStore(new InMemoryJobStore()) { LoseNotifications = loseNotifications };
        var probe = new Probe();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IJobStore>(store);
        builder.Services.AddSingleton(probe);
        builder.Services.AddCancellableJobs(o => o.RunnerPollInterval = TimeSpan.FromSeconds(2)).AddJob<BlockingJob>("block");
        var host = builder.Build();
        if (createFirst)
        {
            await host.Services.GetRequiredService<IJobManager>().StartAsync("block", new Input(1));
        }

        await host.StartAsync();
        store.LoseNotifications = false; // only the runner's subscription, made at start, loses its notifications
        return (host, time, store, probe);
    }

    /// <summary>A store whose subscriptions made while <see cref="LoseNotifications"/> is set never hear of a change.</summary>
    private sealed class LossyStore(IJobStore inner) : IJobStore
    {
        private readonly List<(int Count, TaskCompletionSource Reached)> _emptyClaimWaiters = [];
        private int _emptyClaims;
        private int _dropped;

        public bool LoseNotifications { get; set; }

        public int Dropped => Volatile.Read(ref _dropped);

        public IDisposable Subscribe(Action<JobChange> onChange)
        {
            var lossy = LoseNotifications;
            return inner.Subscribe(change =>
            {
                if (lossy)
                {
                    Interlocked.Increment(ref _dropped);
                }
                else
                {
                    onChange(change);
                }
            });
        }

        public ValueTask<JobSnapshot?> CreateAsync(JobSnapshot job, int maxPendingJobs, CancellationToken cancellationToken = default) => inner.CreateAsync(job, maxPendingJobs, cancellationToken);

        public ValueTask<JobSnapshot?> GetAsync(string jobId, CancellationToken cancellationToken = default) => inner.GetAsync(jobId, cancellationToken);

        /// <summary>Gets or sets a write made on the inner store, on the writing thread, just before the next replacement.</summary>
        public (JobSnapshot Current, JobSnapshot Replacement)? BeforeNextReplace { get; set; }

        public ValueTask<JobSnapshot?> ReplaceAsync(JobSnapshot current, JobSnapshot replacement, CancellationToken cancellationToken = default)
        {
            if (BeforeNextReplace is var (sideCurrent, sideReplacement))
            {
                BeforeNextReplace = null;
                _ = inner.ReplaceAsync(sideCurrent, sideReplacement, cancellationToken).AsTask().GetAwaiter().GetResult();
            }

            return inner.ReplaceAsync(current, replacement, cancellationToken);
        }

        public ValueTask<bool> RemoveAsync(JobSnapshot current, CancellationToken cancellationToken = default) => inner.RemoveAsync(current, cancellationToken);

        /// <summary>Completes once the runner's claims have found nothing <paramref name="count"/> times.</summary>
        public Task EmptyClaims(int count)
        {
            lock (_emptyClaimWaiters)
            {
                if (_emptyClaims >= count)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _emptyClaimWaiters.Add((count, reached));
                return reached.Task;
            }
        }

        public async ValueTask<JobSnapshot?> ClaimNextAsync(IReadOnlyCollection<string> jobTypes, Func<JobSnapshot, JobSnapshot> start, CancellationToken cancellationToken = default)
        {
            var claimed = await inner.ClaimNextAsync(jobTypes, start, cancellationToken);
            if (claimed is null)
            {
                lock (_emptyClaimWaiters)
                {
                    _emptyClaims++;
                    _emptyClaimWaiters.RemoveAll(w => w.Count <= _emptyClaims && w.Reached.TrySetResult());
                }
            }

            return claimed;
        }

        public ValueTask<JobPage> QueryAsync(JobQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

        public ValueTask<JobStatistics> GetStatisticsAsync(JobGrouping groupBy, string? keyPrefix, CancellationToken cancellationToken = default) => inner.GetStatisticsAsync(groupBy, keyPrefix, cancellationToken);

        public ValueTask<IReadOnlyList<JobSnapshot>> RemoveExpiredAsync(DateTimeOffset now, int maxCount, CancellationToken cancellationToken = default) => inner.RemoveExpiredAsync(now, maxCount, cancellationToken);

        public ValueTask<IReadOnlyList<JobSnapshot>> TrimFinishedAsync(int keep, CancellationToken cancellationToken = default) => inner.TrimFinishedAsync(keep, cancellationToken);

        public ValueTask<DateTimeOffset?> GetNextExpiryAsync(CancellationToken cancellationToken = default) => inner.GetNextExpiryAsync(cancellationToken);
    }
}
