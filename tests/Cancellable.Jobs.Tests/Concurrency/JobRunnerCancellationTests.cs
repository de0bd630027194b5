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
}
