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
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var log = new RunLog();
        using var worker = StartWorker(prefix, out var started);
        try
        {
            using var store = new RedisJobStore(redis.Connection, new RedisJobStoreOptions { KeyPrefix = prefix });
            var job = (await store.CreateAsync(Storage.RedisJobStoreTests.NewJob(TwoHosts.JobType) with
            {
                Input = System.Text.Json.JsonDocument.Parse("""{"block":true}""").RootElement,
            }, 10, timeout.Token))!;
            Assert.Equal($"started {job.Id}", await started.Task.WaitAsync(timeout.Token));

            worker.Kill(); // SIGKILL: no shutdown, no final write, no more lease renewals
            await worker.WaitForExitAsync(timeout.Token);
            var killedAt = TimeProvider.System.GetUtcNow();
            var running = (await store.GetAsync(job.Id, timeout.Token))!;
            Assert.Equal(JobStatus.Running, running.Status);

            using var connection = await redis.ConnectAsync();
            using var checker = await TwoHosts.StartAsync(connection, prefix, time, log, "checker", runsJobs: false, redisOptions: o =>
            {
                o.LeaseTime = Lease;
                o.LeaseCheckInterval = Check;
            });
            time.Advance(killedAt - time.GetUtcNow() + Lease + Check);
            JobSnapshot? stale = null;
            await foreach (var change in checker.Manager().WatchAsync(job.Id, timeout.Token))
            {
                if (change.Job.Status.IsTerminal())
                {
                    stale = change.Job;
                    break;
                }
            }

            Assert.Equal(JobStatus.Failed, stale!.Status);
            Assert.Equal(JobCancelReason.Stale, stale.CancelReason);
            Assert.Equal(1, stale.Attempt);
            Assert.Equal(running.RunId, stale.RunId);
            Assert.InRange(stale.CompletedAt!.Value - running.StartedAt!.Value, Lease, Lease + Check + (killedAt - running.StartedAt.Value));
            Assert.Empty(log.Runs);
            await checker.StopAsync(timeout.Token);
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
