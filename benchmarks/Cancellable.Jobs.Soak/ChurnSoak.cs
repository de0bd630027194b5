using System.Diagnostics;
using Cancellable.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cancellable.Jobs.Soak;

/// <summary>
/// Millions of start → complete cycles on the in-memory store with a short retention and a cap: retained jobs stay
/// within the cap, and the heap after a forced full collection stays flat over the second half of the run.
/// </summary>
internal static class ChurnSoak
{
    public sealed record ChurnInput(int Items);

    /// <summary>Reports progress with a step text, an info message and a partial result, then completes.</summary>
    public sealed class ChurnJob : IJob<ChurnInput>
    {
        public Task ExecuteAsync(ChurnInput input, JobContext context, CancellationToken cancellationToken)
        {
            for (var i = 1; i <= input.Items; i++)
            {
                context.ReportProgress(i, input.Items, "item");
            }

            context.Info("done");
            context.SetPartialResult(input.Items);
            return Task.CompletedTask;
        }
    }

    public static async Task<int> RunAsync(SoakArgs args)
    {
        var cycles = args.Long("--cycles", 2_000_000);
        var cap = args.Int("--cap", 10_000);
        var retention = TimeSpan.FromMilliseconds(args.Int("--retention-ms", 250));
        var inFlight = args.Int("--in-flight", 1_000);
        var toleranceMb = args.Double("--tolerance-mb", 2);
        var concurrency = args.Int("--concurrency", 20);

        var time = new CountingTimeProvider();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddCancellableJobs(o =>
        {
            o.CompletedRetention = o.FailedRetention = o.CancelledRetention = retention;
            o.MaxRetainedJobs = cap;
            o.MaxConcurrentJobs = concurrency;
        }).AddJob<ChurnJob, ChurnInput>("churn");
        using var host = builder.Build();
        await host.StartAsync();
        var manager = host.Services.GetRequiredService<IJobManager>();
        var store = (InMemoryJobStore)host.Services.GetRequiredService<IJobStore>();
        var baselineSubscribers = store.SubscriberCount;

        // The runner's poll timer and the sweeper's sleep: what an idle host holds.
        const int BaselineTimers = 2;

        long started = 0, ended = 0, failed = 0, peak = 0, watched = 0, watchersOpen = 0;
        using var slots = new SemaphoreSlim(inFlight, inFlight);
        using var subscription = store.Subscribe(change =>
        {
            if (change.Kind == JobChangeKind.Updated && change.Job.Status.IsTerminal())
            {
                if (change.Job.Status != JobStatus.Completed)
                {
                    Interlocked.Increment(ref failed);
                }

                Interlocked.Increment(ref ended);
                slots.Release();
            }
        });

        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                var count = store.Count;
                if (count > Interlocked.Read(ref peak))
                {
                    Interlocked.Exchange(ref peak, count);
                }

                await Task.Delay(5, CancellationToken.None);
            }
        });

        Console.WriteLine($"churn: {cycles:N0} start → complete cycles, in-memory store, retention {retention.TotalMilliseconds:N0} ms, MaxRetainedJobs {cap:N0}, {concurrency} concurrent, {inFlight:N0} in flight");
        Console.WriteLine($"       each job reports 10 progress values, 1 message and a partial result; 1 in 100 is awaited by WaitForCompletionAsync");
        Console.WriteLine($"       {Measure.Machine()}");
        Console.WriteLine("   run     cycles    jobs/s  retained  peak   heap after GC  (store empty)  subscribers  running  timers");
        var heaps = new List<long>();
        var leftovers = new List<string>();
        var retainedAfterSweep = new List<int>();
        var retainedPeaks = new List<long>();
        var clock = Stopwatch.StartNew();
        var lastTime = TimeSpan.Zero;
        long lastCount = 0;
        var input = new ChurnInput(10);
        for (var tenth = 1; tenth <= 10; tenth++)
        {
            var target = cycles * tenth / 10;
            while (started < target)
            {
                await slots.WaitAsync();
                var job = await manager.StartAsync("churn", input);
                started++;
                if (started % 100 == 0)
                {
                    Interlocked.Increment(ref watchersOpen);
                    _ = Task.Run(async () =>
                    {
                        if (await manager.WaitForCompletionAsync(job.Id) is not null)
                        {
                            Interlocked.Increment(ref watched);
                        }

                        Interlocked.Decrement(ref watchersOpen);
                    });
                }
            }

            await Measure.WaitUntilAsync(() => Interlocked.Read(ref ended) == started && Interlocked.Read(ref watchersOpen) == 0, TimeSpan.FromSeconds(60));
            var now = clock.Elapsed;
            var rate = Measure.PerSecond(started - lastCount, now - lastTime);
            var retainedPeak = Interlocked.Exchange(ref peak, 0);
            retainedPeaks.Add(retainedPeak);

            // The sweeper trims after jobs end: give it the moment it needs, then the count must be within the cap.
            await Measure.WaitUntilAsync(() => store.Count <= cap, TimeSpan.FromSeconds(2));
            var retained = store.Count;
            retainedAfterSweep.Add(retained);

            // Everything left expires after the retention: the heap is then measured with an empty store, so any growth is a leak.
            await Measure.WaitUntilAsync(() => store.Count == 0, TimeSpan.FromSeconds(30));
            var heap = Measure.HeapAfterFullGc();
            heaps.Add(heap);
            var (subscribers, running, timers) = (store.SubscriberCount, Runner(host).RunningCount, time.LiveTimers);
            Console.WriteLine($"  {tenth * 10,3}%  {started,10:N0}  {rate,8:N0}  {retained,8:N0} {retainedPeak,6:N0}   {Measure.Mb(heap),13}  {store.Count,13:N0}  {subscribers,11}  {running,7}  {timers,6}");
            if (subscribers != baselineSubscribers + 1 || running != 0 || timers > BaselineTimers)
            {
                leftovers.Add($"{tenth * 10}%: {subscribers} subscribers, {running} running, timers {time.Describe()}");
            }

            lastTime = clock.Elapsed;
            lastCount = started;
        }

        await stopSampling.CancelAsync();
        await sampler;
        await host.StopAsync();

        var growth = heaps[^1] - heaps[4];
        var tolerance = (long)(toleranceMb * 1024 * 1024);
        var maxPeak = retainedPeaks.Max();
        var capHeld = retainedAfterSweep.Max() <= cap;
        var flat = growth <= tolerance;
        var allEnded = ended == cycles && failed == 0;
        var nothingLeft = leftovers.Count == 0;
        Console.WriteLine();
        Console.WriteLine($"cycles {ended:N0} ended ({failed:N0} not completed) in {clock.Elapsed.TotalSeconds:N1} s, {Measure.PerSecond(ended, clock.Elapsed):N0} jobs/s; {watched:N0} awaited by WaitForCompletionAsync");
        Console.WriteLine($"retained after each sweep: max {retainedAfterSweep.Max():N0}, cap {cap:N0}                                {(capHeld ? "PASS" : "FAIL")}");
        Console.WriteLine($"  (between sweeps, sampled every 5 ms: peak {maxPeak:N0}, {100d * (maxPeak - cap) / cap:+0.0;-0.0}% of the cap: the jobs that ended since the sweeper last ran)");
        Console.WriteLine($"heap at 50% {Measure.Mb(heaps[4])}, at 100% {Measure.Mb(heaps[^1])}: growth {growth / 1024d:N0} KB over the second half (tolerance {toleranceMb:N1} MB)  {(flat ? "PASS" : "FAIL")}");
        Console.WriteLine($"every job completed                                                  {(allEnded ? "PASS" : "FAIL")}");
        Console.WriteLine($"at every 10%: subscribers {baselineSubscribers + 1} (runner, tool), 0 running, timers ≤ {BaselineTimers} (idle host)   {(nothingLeft ? "PASS" : "FAIL " + string.Join("; ", leftovers))}");
        return capHeld && flat && allEnded && nothingLeft ? 0 : 1;
    }

    private static Hosting.JobRunner Runner(IHost host) =>
        host.Services.GetServices<IHostedService>().OfType<Hosting.JobRunner>().Single();
}
