using Cancellable.Jobs.Tests.Properties;

namespace Cancellable.Jobs.Tests.Concurrency;

/// <summary>
/// Cancellations that start in the runner (timeout, shutdown) racing a job that stops at once: the store must still
/// pass through <see cref="JobStatus.Cancelling"/>, so watchers see the cancellation and its reason.
/// </summary>
public sealed class JobRunnerCancellationTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Timeout_JobThatStopsInsideItsTokenCallback_PassesThroughCancelling()
    {
        await using var system = await JobSystem.StartAsync(o => o.MaxConcurrentJobs = 4);
        for (var i = 0; i < 20; i++)
        {
            var job = await system.Jobs.StartAsync("alpha", new ScriptInput("x"), new JobStartOptions { Timeout = TimeSpan.FromMinutes(1) });
            await system.WaitUntilAsync(() => system.Scripts.Find(job.Id, 1) is null ? "job did not start" : null, HangGuard);
            await system.Scripts.Find(job.Id, 1)!.SendAsync(new ScriptStep(ScriptStepKind.StopInsideTokenCallback));

            // Timers fire on thread-pool threads, where continuations may run inline.
            await Task.Run(() => system.Time.Advance(TimeSpan.FromMinutes(1)));
            using var guard = new CancellationTokenSource(HangGuard);
            var final = await system.Jobs.WaitForCompletionAsync(job.Id, guard.Token);

            Assert.Equal(JobStatus.Cancelled, final!.Status);
            Assert.Equal(JobCancelReason.Timeout, final.CancelReason);
            Assert.Equal(new JobStatus?[] { JobStatus.Pending, JobStatus.Running, JobStatus.Cancelling, JobStatus.Cancelled }, system.Log.History(job.Id));
        }

        Assert.Empty(system.Log.Violations);
    }

    [Fact]
    public async Task Shutdown_JobThatStopsInsideItsTokenCallback_PassesThroughCancelling()
    {
        var system = await JobSystem.StartAsync(o => o.MaxConcurrentJobs = 4);
        await using (system)
        {
            var jobs = new List<JobSnapshot>();
            for (var i = 0; i < 4; i++)
            {
                var job = await system.Jobs.StartAsync("alpha", new ScriptInput("x"));
                await system.WaitUntilAsync(() => system.Scripts.Find(job.Id, 1) is null ? "job did not start" : null, HangGuard);
                await system.Scripts.Find(job.Id, 1)!.SendAsync(new ScriptStep(ScriptStepKind.StopInsideTokenCallback));
                jobs.Add(job);
            }

            using var guard = new CancellationTokenSource(HangGuard);
            await Task.Run(() => system.Runner.StopAsync(guard.Token));

            foreach (var job in jobs)
            {
                var final = await system.Jobs.GetAsync(job.Id);
                Assert.Equal(JobStatus.Cancelled, final!.Status);
                Assert.Equal(JobCancelReason.Shutdown, final.CancelReason);
                Assert.Equal(new JobStatus?[] { JobStatus.Pending, JobStatus.Running, JobStatus.Cancelling, JobStatus.Cancelled }, system.Log.History(job.Id));
            }

            Assert.Empty(system.Log.Violations);
        }
    }

    [Fact]
    public async Task Cancel_NextAttemptClaimedBeforeTheFailedAttemptWasUnregistered_StillReachesTheJob()
    {
        await using var system = await JobSystem.StartAsync(o => o.MaxConcurrentJobs = 4);
        var job = await system.Jobs.StartAsync("alpha", new ScriptInput("x"));
        await system.WaitUntilAsync(() => system.Scripts.Find(job.Id, 1) is null ? "job did not start" : null, HangGuard);
        var hooked = 0;
        var retry = new TaskCompletionSource<JobCommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);

        // "Job failed" is logged after the failure is stored and before the runner forgets the attempt: retry there and
        // hold that thread until the next attempt runs.
        system.Problems.OnEvent = eventId =>
        {
            if (eventId == 4 && Interlocked.Exchange(ref hooked, 1) == 0)
            {
                retry.SetResult(system.Jobs.RetryAsync(job.Id).AsTask().GetAwaiter().GetResult());
                SpinWait.SpinUntil(() => system.Scripts.Find(job.Id, 2) is not null, HangGuard);
            }
        };
        await system.Scripts.Find(job.Id, 1)!.SendAsync(new ScriptStep(ScriptStepKind.Fail));
        await system.WaitUntilAsync(() => system.Scripts.Find(job.Id, 2) is null ? "attempt 2 did not start" : null, HangGuard);
        Assert.Equal(JobCommandOutcome.Applied, (await retry.Task.WaitAsync(HangGuard)).Outcome);
        await system.WaitUntilAsync(() => system.Scripts.Find(job.Id, 1)!.Exited ? null : "attempt 1 still running", HangGuard);

        await system.Scripts.Find(job.Id, 2)!.SendAsync(new ScriptStep(ScriptStepKind.HonourCancellation));
        Assert.Equal(JobCommandOutcome.Accepted, (await system.Jobs.CancelAsync(job.Id, "tester")).Outcome);
        await system.WaitUntilAsync(() => system.Scripts.Find(job.Id, 2)!.TokenFired ? null : "attempt 2's token never fired", HangGuard);
        using var guard = new CancellationTokenSource(HangGuard);
        var final = await system.Jobs.WaitForCompletionAsync(job.Id, guard.Token);
        Assert.Equal(JobStatus.Cancelled, final!.Status);
        Assert.Equal(2, final.Attempt);
        Assert.Empty(system.Log.Violations);
    }
}
