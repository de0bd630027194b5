using Cancellable.Jobs.Hosting;
using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cancellable.Jobs.Tests.Hosting;

/// <summary>Tests of how the runner writes the ends of runs: in memory, one writer writes the ends queued meanwhile together.</summary>
public sealed partial class JobRunnerTests
{
    [Fact]
    public async Task ExecuteAsync_JobsEndWhileTheEndWriterIsHeld_EveryEndIsWrittenWithTheTimeItsJobEnded()
    {
        await using var host = await JobsHost.StartAsync(options => options.MaxConcurrentJobs = 4);
        var runner = host.Services.GetServices<IHostedService>().OfType<JobRunner>().Single();
        var (jobs, entered, release) = await host.StartGatedAsync(4);
        await Task.WhenAll(entered.Select(e => e.Task)).WaitAsync(host.Timeout);
        using var writerHeld = new ManualResetEventSlim();
        var holding = JobsHost.NewSignal();
        using var subscription = host.Store.Subscribe(change =>
        {
            if (change.Job.Id == jobs[0].Id && change.Job.Status == JobStatus.Completed)
            {
                // Changes are published inside the store's write: the writer stays here, holding the store, until released.
                holding.TrySetResult();
                writerHeld.Wait(TimeSpan.FromSeconds(20));
            }
        });
        var endedAt = host.Time.GetUtcNow();

        release[0].SetResult();
        await holding.Task.WaitAsync(host.Timeout);
        foreach (var gate in release.Skip(1))
        {
            gate.SetResult();
        }

        await WaitUntilAsync(() => runner.QueuedEnds == 3, host.Timeout);
        host.Time.Advance(TimeSpan.FromMilliseconds(100)); // less than any of the runner's intervals: no timer fires
        writerHeld.Set();

        foreach (var job in jobs)
        {
            var done = await host.WaitForCompletionAsync(job.Id);
            Assert.Equal((JobStatus.Completed, endedAt), (done.Status, done.CompletedAt));
        }

        // Every run left its slot: four more jobs run at once.
        var (more, moreEntered, moreRelease) = await host.StartGatedAsync(4);
        await Task.WhenAll(moreEntered.Select(e => e.Task)).WaitAsync(host.Timeout);
        Array.ForEach(moreRelease, gate => gate.SetResult());
        foreach (var job in more)
        {
            Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(job.Id)).Status);
        }

        Assert.Equal(0, runner.QueuedEnds);
    }

    [Fact]
    public async Task ExecuteAsync_ManyShortJobs_EveryEndWrittenOnceAndEveryRunLeaves()
    {
        const int Jobs = 2_000;
        await using var host = await JobsHost.StartAsync(options => options.MaxConcurrentJobs = 8);
        var runner = host.Services.GetServices<IHostedService>().OfType<JobRunner>().Single();
        var ends = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        using var subscription = host.Store.Subscribe(change =>
        {
            if (change.Job.Status.IsTerminal())
            {
                ends.AddOrUpdate(change.Job.Id, 1, (_, n) => n + 1);
            }
        });
        var jobs = new List<JobSnapshot>();
        for (var i = 0; i < Jobs; i++)
        {
            var n = i;
            jobs.Add(await host.StartScriptAsync((_, _) => n % 3 == 0 ? throw new InvalidOperationException($"job {n}") : Task.CompletedTask));
        }

        foreach (var job in jobs)
        {
            await host.WaitForCompletionAsync(job.Id);
        }

        await WaitUntilAsync(() => runner.RunningCount == 0, host.Timeout);
        Assert.Equal(Jobs, ends.Count);
        Assert.All(ends.Values, count => Assert.Equal(1, count));
        var stats = (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall;
        Assert.Equal((0, 0, (Jobs + 2) / 3, Jobs - ((Jobs + 2) / 3)), (stats.Pending, stats.Running, stats.Failed, stats.Completed));
    }

    /// <summary>Waits, in real time and never past <paramref name="timeout"/>, until <paramref name="condition"/> holds.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken timeout)
    {
        while (!condition())
        {
            await Task.Delay(5, timeout);
        }
    }
}
