using Cancellable.Jobs.Redis.Storage;
using Cancellable.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Cancellable.Jobs.Redis.Tests.Hosting;

/// <summary>
/// Leases with a 3 s lease and a 1 s check on a fake clock. A host that stops renewing stands for a killed process.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisLeaseMonitorTests(RedisServerFixture redis) : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(1);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);
    private readonly string _prefix = RedisServerFixture.NewPrefix();
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public async Task LeaseCheck_RunnerStopsRenewing_JobFailsAsStaleAndTheRunnerStopsItsCopyWithoutOverwriting()
    {
        var log = new RunLog();
        using var runnerConnection = await redis.ConnectAsync();
        using var clientConnection = await redis.ConnectAsync();
        using var runner = await StartHostAsync(runnerConnection, log, "runner", runsJobs: true);
        using var client = await StartHostAsync(clientConnection, log, "client", runsJobs: false);
        var job = await runner.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), cancellationToken: _timeout.Token);
        await log.StartedOf(job.Id).Task.WaitAsync(_timeout.Token);
        ((RedisJobStore)runner.Services.GetRequiredService<IJobStore>()).RenewalPaused = true;

        _time.Advance(Lease + Check);
        var stale = await WaitForStatusAsync(client, job.Id, JobStatus.Failed);

        Assert.Equal(JobCancelReason.Stale, stale.CancelReason);
        Assert.Equal("Cancellable.Jobs.LeaseLapsed", stale.Error!.Type);
        Assert.Null(stale.RunId);
        Assert.Equal(stale.CompletedAt + new CancellableJobsOptions().FailedRetention, stale.ExpiresAt);
        Assert.True(stale.CompletedAt <= T0 + Lease + Check);

        _time.Advance(Check); // the runner's next poll finds the record is no longer its run's
        await log.CancelObservedOf(job.Id).Task.WaitAsync(_timeout.Token);
        await runner.StopAsync(_timeout.Token); // the run ends and tries its final write

        var final = await client.Manager().GetAsync(job.Id, _timeout.Token);
        Assert.Equal(stale.Version, final!.Version);
        Assert.Equal(JobStatus.Failed, final.Status);
        Assert.Single(log.Runs[job.Id]);
        await client.StopAsync(_timeout.Token);
    }

    [Fact]
    public async Task LeaseCheck_TypeOptsIntoRequeue_StaleAttemptIsKeptTheJobRunsOnceMoreAndTheOldRunsWritesAreRefused()
    {
        var log = new RunLog();
        using var connectionA = await redis.ConnectAsync();
        using var connectionB = await redis.ConnectAsync();
        using var a = await StartHostAsync(connectionA, log, "a", runsJobs: true, requeue: true);
        using var b = await StartHostAsync(connectionB, log, "b", runsJobs: true, requeue: true);
        var job = await a.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), cancellationToken: _timeout.Token);
        var oldHost = await log.StartedOf(job.Id).Task.WaitAsync(_timeout.Token) == "a" ? a : b;
        var otherHost = oldHost == a ? b : a;
        ((RedisJobStore)oldHost.Services.GetRequiredService<IJobStore>()).RenewalPaused = true;

        var secondAttempt = otherHost.WaitForAsync(job.Id, j => j.Attempt == 2 && j.Status == JobStatus.Running, _timeout.Token);
        _time.Advance(Lease + Check);
        var requeued = await secondAttempt;

        var stale = Assert.Single(requeued.PreviousAttempts);
        Assert.Equal((1, JobStatus.Failed, JobCancelReason.Stale), (stale.Number, stale.Status, stale.CancelReason));
        Assert.Equal("Cancellable.Jobs.LeaseLapsed", stale.Error!.Type);
        Assert.Null(requeued.CompletedAt);

        _time.Advance(Check); // the old runner's poll finds the record is another run's and stops its copy
        await log.CancelObservedOf(job.Id).Task.WaitAsync(_timeout.Token);
        await otherHost.Manager().CancelAsync(job.Id, "test", _timeout.Token);
        var done = await otherHost.Manager().WaitForCompletionAsync(job.Id, _timeout.Token);
        await oldHost.StopAsync(_timeout.Token); // every run of the old host has ended and tried its final write
        await otherHost.StopAsync(_timeout.Token);

        var final = (await otherHost.Manager().GetAsync(job.Id, _timeout.Token))!;
        Assert.Equal(done!.Version, final.Version);
        Assert.Equal((JobStatus.Cancelled, JobCancelReason.Requested, 2, 1), (final.Status, final.CancelReason, final.Attempt, final.PreviousAttempts.Count));
        Assert.Equal(2, log.Runs[job.Id].Count);
    }

    /// <summary>
    /// Regression: the runner kept its runs by job id, so when an instance whose renewals stalled re-claimed the re-queued
    /// job itself, the new attempt's entry replaced the old copy's, and the poll never stopped the old copy.
    /// </summary>
    [Fact]
    public async Task Poll_StaleJobRequeuedAndReclaimedBySameInstance_StopsTheOldCopyAndRefusesItsWrites()
    {
        var log = new RunLog();
        using var connection = await redis.ConnectAsync();
        using var host = await StartHostAsync(connection, log, "only", runsJobs: true, requeue: true);
        var job = await host.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), cancellationToken: _timeout.Token);
        await log.StartedOf(job.Id).Task.WaitAsync(_timeout.Token);
        ((RedisJobStore)host.Services.GetRequiredService<IJobStore>()).RenewalPaused = true;

        var secondAttempt = host.WaitForAsync(job.Id, j => j.Attempt == 2 && j.Status == JobStatus.Running, _timeout.Token);
        _time.Advance(Lease + Check);
        await secondAttempt;
        _time.Advance(Check);
        await log.CancelObservedOf(job.Id).Task.WaitAsync(_timeout.Token);
        await host.Manager().CancelAsync(job.Id, "test", _timeout.Token);
        var done = await host.Manager().WaitForCompletionAsync(job.Id, _timeout.Token);
        await host.StopAsync(_timeout.Token);

        var final = (await host.Manager().GetAsync(job.Id, _timeout.Token))!;
        Assert.Equal(done!.Version, final.Version);
        Assert.Equal((JobStatus.Cancelled, JobCancelReason.Requested, 2), (final.Status, final.CancelReason, final.Attempt));
        Assert.Equal(["only", "only"], log.Runs[job.Id].ToArray());
    }

    [Fact]
    public async Task LeaseCheck_JobLapsesOnEveryAttempt_IsRequeuedMaxStaleRequeuesTimesThenFailsAndTheBoundIsLogged()
    {
        const int maxStaleRequeues = 2;
        var log = new RunLog();
        var requeuedLog = new SignalLoggerProvider("JobRequeued");
        var boundLog = new SignalLoggerProvider("StaleRequeueLimitReached");
        var staleLog = new SignalLoggerProvider("JobStale");
        using var connection = await redis.ConnectAsync();
        using var host = await TwoHosts.StartAsync(
            connection,
            _prefix,
            _time,
            log,
            "only",
            jobs: b =>
            {
                b.AddJob<RecordingJob, BlockInput>(TwoHosts.JobType, o =>
                {
                    o.RequeueWhenStale = true;
                    o.MaxStaleRequeues = maxStaleRequeues;
                });
                b.Services.AddSingleton<ILoggerProvider>(requeuedLog).AddSingleton<ILoggerProvider>(boundLog).AddSingleton<ILoggerProvider>(staleLog);
            },
            redisOptions: o =>
            {
                o.LeaseTime = Lease;
                o.LeaseCheckInterval = Check;
            });
        var job = await host.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), cancellationToken: _timeout.Token);
        await log.StartedOf(job.Id).Task.WaitAsync(_timeout.Token);
        ((RedisJobStore)host.Services.GetRequiredService<IJobStore>()).RenewalPaused = true; // as if every attempt killed its process

        for (var attempt = 2; attempt <= maxStaleRequeues + 1; attempt++)
        {
            var expected = attempt;
            var next = host.WaitForAsync(job.Id, j => j.Attempt == expected && j.Status == JobStatus.Running, _timeout.Token);
            _time.Advance(Lease + Check);
            await next;
        }

        var failed = WaitForStatusAsync(host, job.Id, JobStatus.Failed);
        _time.Advance(Lease + Check);
        var ended = await failed;
        await boundLog.Logged.Task.WaitAsync(_timeout.Token);

        Assert.Equal((JobCancelReason.Stale, maxStaleRequeues + 1, "Cancellable.Jobs.LeaseLapsed"), (ended.CancelReason, ended.Attempt, ended.Error!.Type));
        Assert.All(ended.PreviousAttempts, a => Assert.Equal((JobStatus.Failed, JobCancelReason.Stale), (a.Status, a.CancelReason)));
        Assert.Equal(maxStaleRequeues, ended.PreviousAttempts.Count);
        Assert.Contains($"re-queued {maxStaleRequeues} times after its runner died", ended.Error.Message, StringComparison.Ordinal);
        Assert.Contains("not re-queued again", ended.Error.Message, StringComparison.Ordinal);
        Assert.NotNull(ended.ExpiresAt);
        var warning = Assert.Single(boundLog.Entries);
        Assert.Equal((LogLevel.Warning, 1005), (warning.Level, warning.Id.Id));
        Assert.Equal(job.Id, warning.State["JobId"]);
        Assert.Equal(TwoHosts.JobType, warning.State["JobType"]);
        Assert.Equal(maxStaleRequeues, warning.State["StaleRequeues"]);
        Assert.Equal(maxStaleRequeues, warning.State["MaxStaleRequeues"]);
        Assert.Equal(maxStaleRequeues, requeuedLog.Entries.Count);
        Assert.Empty(staleLog.Entries);

        await host.StopAsync(_timeout.Token); // the last attempt's copy ends and tries its final write
        var final = (await host.Manager().GetAsync(job.Id, _timeout.Token))!;
        Assert.Equal((ended.Version, JobStatus.Failed), (final.Version, final.Status));
        Assert.Equal(maxStaleRequeues + 1, log.Runs[job.Id].Count);
    }

    [Fact]
    public async Task LeaseCheck_LapsedJobWithDeleteRequested_IsRemovedNotKept()
    {
        var log = new RunLog();
        using var runnerConnection = await redis.ConnectAsync();
        using var clientConnection = await redis.ConnectAsync();
        using var runner = await StartHostAsync(runnerConnection, log, "runner", runsJobs: true);
        using var client = await StartHostAsync(clientConnection, log, "client", runsJobs: false);
        var job = await runner.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), cancellationToken: _timeout.Token);
        await log.StartedOf(job.Id).Task.WaitAsync(_timeout.Token);
        var store = (RedisJobStore)runner.Services.GetRequiredService<IJobStore>();
        store.RenewalPaused = true;
        var running = (await store.GetAsync(job.Id, _timeout.Token))!;
        Assert.NotNull(await store.ReplaceAsync(running, running with { IsDeleteRequested = true }, _timeout.Token)); // as a delete whose cancel never reached the runner

        var removed = WaitForRemovalAsync(client, job.Id);
        _time.Advance(Lease + Check);
        await removed;

        Assert.Null(await client.Manager().GetAsync(job.Id, _timeout.Token));
        await runner.StopAsync(_timeout.Token);
        await client.StopAsync(_timeout.Token);
    }

    [Fact]
    public async Task TakeLapsed_LeaseRenewedInTime_LeavesTheJobRunningUntilRenewalStops()
    {
        using var other = await redis.ConnectAsync();
        var owner = new RedisJobStore(redis.Connection, Options(), _time);
        var checker = new RedisJobStore(other, Options(), _time);
        var created = (await owner.CreateAsync(Storage.RedisJobStoreTests.NewJob("a"), 10, _timeout.Token))!;
        var running = (await owner.ClaimNextAsync(["a"], j => j with { Status = JobStatus.Running, RunId = "run-1" }, _timeout.Token))!;

        _time.Advance(TimeSpan.FromSeconds(2));
        await owner.RenewLeasesAsync(); // deadline now T0 + 5 s
        _time.Advance(TimeSpan.FromSeconds(2));
        var early = await checker.TakeLapsedAsync(10);
        _time.Advance(TimeSpan.FromSeconds(1));
        var due = await checker.TakeLapsedAsync(10);
        Assert.NotNull(await checker.ReplaceAsync(running, StaleOf(running, _time.GetUtcNow()), _timeout.Token));
        await owner.RenewLeasesAsync();

        Assert.Empty(early);
        Assert.Equal(created.Id, Assert.Single(due));
        Assert.Empty(owner.HeldJobIds);
        Assert.Equal(0, await redis.Connection.GetDatabase().SortedSetLengthAsync(_prefix + "leases"));
    }

    [Fact]
    public async Task RenewLeases_FinalWriteOfTheRunFailed_StopsRenewingSoTheLeaseLapses()
    {
        var owner = new RedisJobStore(redis.Connection, Options(), _time);
        await owner.CreateAsync(Storage.RedisJobStoreTests.NewJob("a"), 10, _timeout.Token);
        var running = (await owner.ClaimNextAsync(["a"], j => j with { Status = JobStatus.Running, RunId = "run-1" }, _timeout.Token))!;
        Assert.Equal([running.Id], owner.HeldJobIds);

        // The run's end is written against a version that no longer holds, as after a lost write.
        var refused = await owner.ReplaceAsync(running with { Version = 99 }, running with { Status = JobStatus.Completed, CompletedAt = _time.GetUtcNow() }, _timeout.Token);
        _time.Advance(Lease);
        await owner.RenewLeasesAsync();
        var lapsed = await owner.TakeLapsedAsync(10);

        Assert.Null(refused);
        Assert.Empty(owner.HeldJobIds);
        Assert.Equal(running.Id, Assert.Single(lapsed));
    }

    private static JobSnapshot StaleOf(JobSnapshot job, DateTimeOffset now) =>
        job with { Status = JobStatus.Failed, CancelReason = JobCancelReason.Stale, CompletedAt = now, ExpiresAt = now.AddHours(1), RunId = null };

    private RedisJobStoreOptions Options() => new() { KeyPrefix = _prefix, LeaseTime = Lease, LeaseCheckInterval = Check };

    private Task<IHost> StartHostAsync(StackExchange.Redis.IConnectionMultiplexer connection, RunLog log, string name, bool runsJobs, bool requeue = false) =>
        TwoHosts.StartAsync(
            connection,
            _prefix,
            _time,
            log,
            name,
            runsJobs,
            jobs: requeue ? TwoHosts.RequeueWhenStale : null,
            redisOptions: o =>
            {
                o.LeaseTime = Lease;
                o.LeaseCheckInterval = Check;
            });

    private Task<JobSnapshot> WaitForStatusAsync(IHost host, string jobId, JobStatus status) => host.WaitForAsync(jobId, j => j.Status == status, _timeout.Token);

    private async Task WaitForRemovalAsync(IHost host, string jobId)
    {
        await foreach (var change in host.Manager().WatchAsync(jobId, _timeout.Token))
        {
            if (change.Kind == JobChangeKind.Removed)
            {
                return;
            }
        }
    }
}
