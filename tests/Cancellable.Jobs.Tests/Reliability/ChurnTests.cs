using System.Collections.Concurrent;
using Cancellable.Jobs.Hosting;
using Cancellable.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cancellable.Jobs.Tests.Reliability;

/// <summary>
/// Start → complete cycles with retention and a cap, at a scale CI affords: after each batch the retained jobs are within
/// the cap and every index, subscriber list, run table and timer is back to what the jobs held account for.
/// </summary>
public sealed class ChurnTests
{
    private const int Cycles = 20_000;
    private const int Batch = 2_000;
    private const int Cap = 500;
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Flush = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    public sealed record ChurnInput(int Items);

    /// <summary>Reports progress, a message and a partial result, and completes; keeps a weak reference to its context.</summary>
    public sealed class ChurnJob(ConcurrentBag<WeakReference> contexts) : IJob<ChurnInput>
    {
        public Task ExecuteAsync(ChurnInput input, JobContext context, CancellationToken cancellationToken)
        {
            for (var i = 1; i <= input.Items; i++)
            {
                context.ReportProgress(i, input.Items, "item");
            }

            context.Info("done");
            context.SetPartialResult(input.Items);
            contexts.Add(new WeakReference(context));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task StartComplete_ManyCyclesWithRetentionAndCap_RetainedWithinCapAndIndexesSubscribersRunsAndTimersBackToBaseline()
    {
        var time = new CountingTimeProvider();
        var contexts = new ConcurrentBag<WeakReference>();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton(contexts);
        builder.Services.AddCancellableJobs(o =>
        {
            o.MaxRetainedJobs = Cap;
            o.CompletedRetention = Retention;
            o.ProgressFlushInterval = Flush;
            o.RunnerPollInterval = Poll;
        }).AddJob<ChurnJob, ChurnInput>("churn");
        using var host = builder.Build();
        await host.StartAsync(hangGuard.Token);
        var manager = host.Services.GetRequiredService<IJobManager>();
        var store = (InMemoryJobStore)host.Services.GetRequiredService<IJobStore>();
        var runner = host.Services.GetServices<IHostedService>().OfType<JobRunner>().Single();

        var ended = 0;
        var batchDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = 0;
        using var endings = store.Subscribe(change =>
        {
            if (change.Kind == JobChangeKind.Updated && change.Job.Status.IsTerminal() && Interlocked.Increment(ref ended) == Volatile.Read(ref target))
            {
                batchDone.TrySetResult();
            }
        });
        var baselineSubscribers = store.SubscriberCount;

        for (var started = 0; started < Cycles;)
        {
            Volatile.Write(ref target, started + Batch);
            for (var i = 0; i < Batch; i++, started++)
            {
                await manager.StartAsync("churn", new ChurnInput(10), new JobStartOptions { Owner = $"owner-{started % 50}", Tags = [$"tag-{started % 7}"] }, hangGuard.Token);
                if (i == Batch / 2)
                {
                    time.Advance(Flush); // mid-batch flushes of the jobs running now
                }
            }

            await batchDone.Task.WaitAsync(hangGuard.Token);
            batchDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await UntilAsync(() => store.Count <= Cap && runner.RunningCount == 0, hangGuard.Token);

            var counts = store.GetIndexCounts();
            Assert.InRange(counts.Jobs, 1, Cap);
            Assert.Equal(new InMemoryJobStore.IndexCounts(counts.Jobs, counts.Jobs, counts.Jobs, counts.Groups, 3 * counts.Jobs, counts.Jobs, counts.Jobs), counts);
            Assert.InRange(counts.Groups, 3, 1 + 50 + 7);
            Assert.Equal(baselineSubscribers, store.SubscriberCount);
            Assert.Equal(0, runner.RunningCount);
            Assert.Equal(1, time.LiveTimersWithPeriod(Flush)); // the runner's one flush timer, no run's own
            Assert.Equal(1, time.LiveTimersWithPeriod(Poll));
            Assert.InRange(time.LiveTimers, 2, 3); // the runner's flush and poll and, at most, the sweeper's sleep
            time.Advance(TimeSpan.FromSeconds(1)); // half the retention: the batch before the last one expires
        }

        Assert.Equal(Cycles, Volatile.Read(ref ended));

        // Past every retention the store empties, every index with it, and no run's context is still reachable.
        time.Advance(Retention);
        await UntilAsync(() => store.Count == 0, hangGuard.Token);
        Assert.Equal(default, store.GetIndexCounts());
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.Equal(Cycles, contexts.Count);
        Assert.DoesNotContain(contexts, c => c.IsAlive);
        await host.StopAsync(hangGuard.Token);
    }

    /// <summary>Yields until <paramref name="condition"/> holds: for states the library reaches right after an event.</summary>
    internal static async Task UntilAsync(Func<bool> condition, CancellationToken hangGuard)
    {
        while (!condition())
        {
            hangGuard.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}
