using System.Collections.Concurrent;
using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Reliability;

/// <summary>
/// Host shutdown while the runner is full and a queue waits: every running job gets its shutdown token at once, and no
/// record is left Running.
/// </summary>
public sealed class ShutdownUnderLoadTests
{
    private const int Running = 200;
    private const int Waiting = 1_000;

    [Fact]
    public async Task StopAsync_RunnerFullAndQueueWaiting_EveryRunningJobCancelledWithReasonShutdownNoneLeftRunning()
    {
        await using var host = await JobsHost.StartAsync(o => o.MaxConcurrentJobs = Running);
        using var tokensFired = new CountdownEvent(Running);
        using var entered = new CountdownEvent(Running);
        var running = new List<string>();
        for (var i = 0; i < Running; i++)
        {
            running.Add((await host.StartScriptAsync(async (_, ct) =>
            {
                using var registration = ct.Register(() => tokensFired.Signal());
                entered.Signal();
                await Task.Delay(Timeout.Infinite, ct);
            })).Id);
        }

        var waiting = new List<string>();
        for (var i = 0; i < Waiting; i++)
        {
            waiting.Add((await host.StartScriptAsync((_, _) => Task.CompletedTask)).Id);
        }

        Assert.True(entered.Wait(Timeout.Infinite, host.Timeout));

        await host.StopAsync();

        Assert.Equal(0, tokensFired.CurrentCount);
        foreach (var id in running)
        {
            var job = (await host.Store.GetAsync(id, host.Timeout))!;
            Assert.Equal((JobStatus.Cancelled, JobCancelReason.Shutdown), (job.Status, job.CancelReason));
        }

        var statistics = (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall;
        Assert.Equal((0, 0, Running, Waiting), (statistics.Running, statistics.Cancelling, statistics.Cancelled, statistics.Pending));
        foreach (var id in waiting)
        {
            Assert.Equal(JobStatus.Pending, (await host.Store.GetAsync(id, host.Timeout))!.Status);
        }
    }

    [Fact]
    public async Task StopAsync_JobBlocksInsideItsTokenCallback_EveryOtherJobStillGetsItsToken()
    {
        // Regression: shutdown fired the jobs' tokens one after another on the stopping thread, so a job whose token
        // callback blocked kept the shutdown token from every job after it.
        const int Jobs = 3;
        await using var host = await JobsHost.StartAsync(o => o.MaxConcurrentJobs = Jobs);
        using var allFired = new CountdownEvent(Jobs);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var sawAll = new ConcurrentBag<bool>();
        using var entered = new CountdownEvent(Jobs);
        for (var i = 0; i < Jobs; i++)
        {
            await host.StartScriptAsync(async (_, ct) =>
            {
                using var registration = ct.Register(() =>
                {
                    allFired.Signal();
                    try
                    {
                        // Each callback holds its thread until every job's token has fired.
                        sawAll.Add(allFired.Wait(Timeout.Infinite, guard.Token));
                    }
                    catch (OperationCanceledException)
                    {
                        sawAll.Add(false);
                    }
                });
                entered.Signal();
                await Task.Delay(Timeout.Infinite, ct);
            });
        }

        Assert.True(entered.Wait(Timeout.Infinite, host.Timeout));
        await host.StopAsync();

        Assert.Equal(Enumerable.Repeat(true, Jobs), sawAll);
        Assert.Equal(Jobs, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Cancelled);
    }

    [Fact]
    public async Task StopAsync_JobBlocksItsThreadIgnoringToken_StopEndsAtShutdownTimeoutAndRecordIsCancellingNotRunning()
    {
        await using var host = await JobsHost.StartAsync(o => o.MaxConcurrentJobs = 2);
        using var unblock = new ManualResetEventSlim();
        var blocking = JobsHost.NewSignal();
        var blocker = await host.StartScriptAsync((_, _) =>
        {
            blocking.SetResult();
            unblock.Wait(); // blocks a pool thread, never looks at its token
            return Task.CompletedTask;
        });
        var polite = await host.StartWaitingJobAsync();
        await blocking.Task.WaitAsync(host.Timeout);
        await host.WaitForAsync(polite.Id, j => j.Status == JobStatus.Running);

        using var shutdownTimeout = new CancellationTokenSource();
        var stop = host.StopAsync(shutdownTimeout.Token);
        var cancelling = await host.WaitForAsync(blocker.Id, j => j.Status == JobStatus.Cancelling);
        var cancelled = await host.WaitForCompletionAsync(polite.Id);
        Assert.False(stop.IsCompleted); // the host waits for the blocked job ...
        await shutdownTimeout.CancelAsync(); // ... until its shutdown timeout elapses
        await stop.WaitAsync(host.Timeout);

        Assert.Equal(JobCancelReason.Shutdown, cancelling.CancelReason);
        Assert.Equal((JobStatus.Cancelled, JobCancelReason.Shutdown), (cancelled.Status, cancelled.CancelReason));
        Assert.Equal(JobStatus.Cancelling, (await host.Store.GetAsync(blocker.Id, host.Timeout))!.Status);

        unblock.Set();
        Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(blocker.Id)).Status);
    }
}
