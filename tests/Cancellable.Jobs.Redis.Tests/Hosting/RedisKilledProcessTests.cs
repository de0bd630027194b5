using System.Diagnostics;
using System.Globalization;
using Cancellable.Jobs.Redis.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Cancellable.Jobs.Redis.Tests.Hosting;

/// <summary>
/// A separate process (Cancellable.Jobs.Redis.TestWorker) runs a job and is killed with SIGKILL; a host in this process
/// finds the lapsed lease. The worker's lease deadline is on the real clock, so the test's fake clock starts from it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisKilledProcessTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Check = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task LeaseCheck_WorkerProcessKilledMidJob_JobBecomesStaleAtTheFirstCheckAfterItsLeaseAndRunsOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var prefix = RedisServerFixture.NewPrefix();
        var log = new RunLog();
        var (job, running, killedAt) = await RunAndKillWorkerAsync(prefix, timeout.Token);

        var time = new FakeTimeProvider(killedAt);
        using var connection = await redis.ConnectAsync();
        using var checker = await StartCheckerAsync(connection, prefix, time, log, runsJobs: false);
        time.Advance(Lease + Check);
        var stale = await checker.WaitForAsync(job.Id, j => j.Status.IsTerminal(), timeout.Token);

        Assert.Equal(JobStatus.Failed, stale.Status);
        Assert.Equal(JobCancelReason.Stale, stale.CancelReason);
        Assert.Equal(1, stale.Attempt);
        Assert.Null(stale.RunId);
        Assert.InRange(stale.CompletedAt!.Value - running.StartedAt!.Value, Lease, Lease + Check + (killedAt - running.StartedAt.Value));
        Assert.Empty(log.Runs);
        await checker.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task LeaseCheck_WorkerKilledAndTypeOptsIntoRequeue_JobRunsOnceMoreOnAnotherInstance()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var prefix = RedisServerFixture.NewPrefix();
        var log = new RunLog();
        var (job, running, killedAt) = await RunAndKillWorkerAsync(prefix, timeout.Token);

        var time = new FakeTimeProvider(killedAt);
        using var connection = await redis.ConnectAsync();
        using var checker = await StartCheckerAsync(connection, prefix, time, log, runsJobs: true);
        time.Advance(Lease + Check);
        Assert.Equal("checker", await log.StartedOf(job.Id).Task.WaitAsync(timeout.Token));
        var second = await checker.WaitForAsync(job.Id, j => j.Status == JobStatus.Running && j.Attempt == 2, timeout.Token);

        var stale = Assert.Single(second.PreviousAttempts);
        Assert.Equal((JobStatus.Failed, JobCancelReason.Stale, running.StartedAt), (stale.Status, stale.CancelReason, stale.StartedAt));
        Assert.NotEqual(running.RunId, second.RunId);
        await checker.Manager().CancelAsync(job.Id, "test", timeout.Token);
        var done = await checker.Manager().WaitForCompletionAsync(job.Id, timeout.Token);
        Assert.Equal((JobStatus.Cancelled, 2), (done!.Status, done.Attempt));
        Assert.Equal("checker", Assert.Single(log.Runs[job.Id]));
        await checker.StopAsync(timeout.Token);
    }

    private static Task<IHost> StartCheckerAsync(StackExchange.Redis.IConnectionMultiplexer connection, string prefix, FakeTimeProvider time, RunLog log, bool runsJobs) =>
        TwoHosts.StartAsync(
            connection,
            prefix,
            time,
            log,
            "checker",
            runsJobs,
            jobs: runsJobs ? TwoHosts.RequeueWhenStale : null,
            redisOptions: o =>
            {
                o.LeaseTime = Lease;
                o.LeaseCheckInterval = Check;
            });

    /// <summary>
    /// Starts the worker, lets it claim a blocking job, and kills it with SIGKILL (no shutdown, no final write, no more
    /// lease renewals). The worker's lease deadline is on the real clock, so the caller's fake clock starts at the kill.
    /// </summary>
    private async Task<(JobSnapshot Job, JobSnapshot Running, DateTimeOffset KilledAt)> RunAndKillWorkerAsync(string prefix, CancellationToken cancellationToken)
    {
        using var worker = StartWorker(prefix, out var started);
        try
        {
            using var store = new RedisJobStore(redis.Connection, new RedisJobStoreOptions { KeyPrefix = prefix });
            var job = (await store.CreateAsync(Storage.RedisJobStoreTests.NewJob(TwoHosts.JobType) with
            {
                Input = System.Text.Json.JsonDocument.Parse("""{"block":true}""").RootElement,
            }, 10, cancellationToken))!;
            Assert.Equal($"started {job.Id}", await started.Task.WaitAsync(cancellationToken));

            worker.Kill();
            await worker.WaitForExitAsync(cancellationToken);
            var killedAt = TimeProvider.System.GetUtcNow();
            var running = (await store.GetAsync(job.Id, cancellationToken))!;
            Assert.Equal(JobStatus.Running, running.Status);
            return (job, running, killedAt);
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill();
            }
        }
    }

    private Process StartWorker(string prefix, out TaskCompletionSource<string> started)
    {
        var dll = Path.Combine(AppContext.BaseDirectory.Replace("Cancellable.Jobs.Redis.Tests", "Cancellable.Jobs.Redis.TestWorker", StringComparison.Ordinal), "Cancellable.Jobs.Redis.TestWorker.dll");
        Assert.True(File.Exists(dll), $"the worker was not built at {dll}");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, redis.ConnectionString, prefix, ((int)Lease.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), ((int)Check.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("started ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                ready.TrySetException(new InvalidOperationException("worker: " + e.Data));
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("the worker exited before starting the job"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        started = ready;
        return process;
    }
}
