using System.Diagnostics;
using Cancellable.Jobs.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.Soak;

/// <summary>
/// Busy jobs watched by many in-process watchers and SSE clients on Kestrel (loopback), some of which read slowly or
/// never: job throughput with and without them, and the process's memory while stuck watchers stay attached.
/// </summary>
internal static class WatcherSoak
{
    public sealed record BusyInput(int Reports);

    /// <summary>Reports progress and a message as fast as it can, yielding in between, then completes.</summary>
    public sealed class BusyJob : IJob<BusyInput>
    {
        public async Task ExecuteAsync(BusyInput input, JobContext context, CancellationToken cancellationToken)
        {
            for (var i = 1; i <= input.Reports; i++)
            {
                context.ReportProgress(i, input.Reports, "busy");
                if (i % 10 == 0)
                {
                    context.Info("tick");
                }

                await Task.Yield();
            }
        }
    }

    public static async Task<int> RunAsync(SoakArgs args)
    {
        var jobs = args.Int("--jobs", 20_000);
        var watchers = args.Int("--watchers", 200);
        var sse = args.Int("--sse", 30);
        var toleranceMb = args.Double("--tolerance-mb", 8);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCancellableJobs(o =>
        {
            o.ProgressFlushInterval = TimeSpan.FromMilliseconds(5);
            o.CompletedRetention = TimeSpan.FromSeconds(1);
            o.MaxRetainedJobs = 5_000;
        }).AddJob<BusyJob, BusyInput>("busy");
        await using var app = builder.Build();
        app.MapCancellableJobs("/jobs");
        await app.StartAsync();
        var baseUrl = app.Urls.Single();
        var manager = app.Services.GetRequiredService<IJobManager>();
        var store = app.Services.GetRequiredService<IJobStore>();
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = Timeout.InfiniteTimeSpan };

        Console.WriteLine($"watchers: {jobs:N0} busy jobs per phase (100 progress reports, 10 messages, flushed every 5 ms), Kestrel on {baseUrl}");
        Console.WriteLine($"          {Measure.Machine()}");
        Console.WriteLine("  phase                                                         jobs/s  ratio  store writes/s  heap after GC  working set");
        var writes = 0L;
        using var counting = store.Subscribe(_ => Interlocked.Increment(ref writes));
        var input = new BusyInput(100);

        (double Rate, long Heap) baseline = default;
        baseline = await PhaseAsync("no watchers");

        // Stuck and slow, attached and detached in turns with baseline phases, so that a shared machine's load hits both:
        // a quarter of the watchers of each kind never read after the first item, a quarter read one item per 20 ms.
        var stuckCount = watchers / 4;
        var slowCount = watchers / 4;
        var sseQuarter = sse / 4;
        var stuckName = $"+{stuckCount} never-reading, {slowCount} slow; SSE {sseQuarter} never-reading, {sseQuarter} slow";
        var noneRates = new List<double> { baseline.Rate };
        var stuckRates = new List<double>();
        long growth = 0;
        int resets = 0, stuckStreams = 0;
        for (var round = 1; round <= 3; round++)
        {
            if (round > 1)
            {
                noneRates.Add((await PhaseAsync("no watchers")).Rate);
            }

            using var detach = new CancellationTokenSource();
            var tasks = new List<Task>();
            for (var i = 0; i < stuckCount; i++)
            {
                tasks.Add(InProcessAsync(Timeout.InfiniteTimeSpan, detach.Token));
            }

            for (var i = 0; i < slowCount; i++)
            {
                tasks.Add(InProcessAsync(TimeSpan.FromMilliseconds(20), detach.Token));
            }

            var stuckSse = new List<HttpResponseMessage>();
            for (var i = 0; i < sseQuarter; i++)
            {
                stuckSse.Add(await http.GetAsync("/jobs/events", HttpCompletionOption.ResponseHeadersRead, detach.Token));
            }

            for (var i = 0; i < sseQuarter; i++)
            {
                tasks.Add(SseAsync(TimeSpan.FromMilliseconds(50), new long[1], detach.Token));
            }

            var first = await PhaseAsync(stuckName);
            stuckRates.Add(first.Rate);
            if (round == 1)
            {
                var again = await PhaseAsync("same watchers attached, again (memory must not grow)");
                growth = again.Heap - first.Heap;
            }

            // What the never-reading SSE clients find when they finally read: a reset (they were dropped), then the end.
            foreach (var response in stuckSse)
            {
                var text = await DrainAsync(response);
                resets += text.Contains("event: reset", StringComparison.Ordinal) ? 1 : 0;
                stuckStreams++;
                response.Dispose();
            }

            await detach.CancelAsync();
            await Task.WhenAll(tasks);
        }

        // Everything at once: the fast readers' own CPU is part of this figure.
        using (var detachAll = new CancellationTokenSource())
        {
            var tasks = new List<Task>();
            var fastCount = watchers - stuckCount - slowCount;
            var fastSeen = new long[fastCount];
            for (var i = 0; i < stuckCount; i++)
            {
                tasks.Add(InProcessAsync(Timeout.InfiniteTimeSpan, detachAll.Token));
            }

            for (var i = 0; i < slowCount; i++)
            {
                tasks.Add(InProcessAsync(TimeSpan.FromMilliseconds(20), detachAll.Token));
            }

            for (var i = 0; i < fastCount; i++)
            {
                tasks.Add(InProcessAsync(TimeSpan.Zero, detachAll.Token, fastSeen, i));
            }

            var sseEvents = new long[sse - sseQuarter];
            for (var i = 0; i < sse - sseQuarter; i++)
            {
                tasks.Add(SseAsync(i < sseQuarter ? TimeSpan.FromMilliseconds(50) : TimeSpan.Zero, sseEvents.AsMemory(i, 1), detachAll.Token));
            }

            var stuckSse = new List<HttpResponseMessage>();
            for (var i = 0; i < sseQuarter; i++)
            {
                stuckSse.Add(await http.GetAsync("/jobs/events", HttpCompletionOption.ResponseHeadersRead, detachAll.Token));
            }

            var all = await PhaseAsync($"all {watchers} watchers (+{fastCount} fast) and {sse} SSE clients (+{sse - 3 * sseQuarter} fast)");
            await detachAll.CancelAsync();
            await Task.WhenAll(tasks);
            foreach (var response in stuckSse)
            {
                response.Dispose();
            }

            Console.WriteLine($"  (all watchers: {all.Rate / Median(noneRates):P0} of none: the fast readers' own CPU on {Environment.ProcessorCount} cores; fast watchers saw {fastSeen.Min():N0}..{fastSeen.Max():N0} changes each)");
        }

        var afterDetach = Measure.HeapAfterFullGc();
        await app.StopAsync();

        var stuckRatio = Median(stuckRates) / Median(noneRates);
        var keepUp = stuckRatio >= 0.7;
        var bounded = growth <= (long)(toleranceMb * 1024 * 1024);
        var dropped = resets == stuckStreams;
        Console.WriteLine($"  after all watchers left: heap {Measure.Mb(afterDetach)}");
        Console.WriteLine();
        Console.WriteLine($"throughput with stuck/slow watchers: median {Median(stuckRates):N0} vs {Median(noneRates):N0} jobs/s without = {stuckRatio:P0} (≥ 70%)   {(keepUp ? "PASS" : "FAIL")}");
        Console.WriteLine($"heap growth over a second phase with stuck watchers attached: {growth / 1024d:N0} KB (≤ {toleranceMb:N0} MB)    {(bounded ? "PASS" : "FAIL")}");
        Console.WriteLine($"never-reading SSE clients dropped with a reset event: {resets} of {stuckStreams}                     {(dropped ? "PASS" : "FAIL")}");
        return keepUp && bounded && dropped ? 0 : 1;

        async Task<(double Rate, long Heap)> PhaseAsync(string name)
        {
            var writesBefore = Interlocked.Read(ref writes);
            var clock = Stopwatch.StartNew();
            using var slots = new SemaphoreSlim(1_000, 1_000);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            long left = jobs;
            using var ends = store.Subscribe(change =>
            {
                if (change.Kind == JobChangeKind.Updated && change.Job.Status.IsTerminal() && change.Job.Type == "busy")
                {
                    slots.Release();
                    if (Interlocked.Decrement(ref left) == 0)
                    {
                        done.TrySetResult();
                    }
                }
            });
            for (var i = 0; i < jobs; i++)
            {
                await slots.WaitAsync();
                await manager.StartAsync("busy", input);
            }

            await done.Task;
            var elapsed = clock.Elapsed;
            var rate = Measure.PerSecond(jobs, elapsed);
            var writeRate = Measure.PerSecond(Interlocked.Read(ref writes) - writesBefore, elapsed);
            var heap = Measure.HeapAfterFullGc();
            Console.WriteLine($"  {name,-60} {rate,7:N0}  {(baseline.Rate == 0 ? 1 : rate / baseline.Rate),5:P0}  {writeRate,14:N0}  {Measure.Mb(heap),13}  {Measure.Mb(Environment.WorkingSet),11}");
            return (rate, heap);
        }

        async Task InProcessAsync(TimeSpan readDelay, CancellationToken detach, long[]? seen = null, int index = 0)
        {
            try
            {
                await foreach (var _ in manager.WatchAsync(filter: null, detach))
                {
                    if (seen is not null)
                    {
                        seen[index]++;
                    }

                    if (readDelay == Timeout.InfiniteTimeSpan)
                    {
                        await Task.Delay(Timeout.Infinite, detach);
                    }
                    else if (readDelay > TimeSpan.Zero)
                    {
                        await Task.Delay(readDelay, detach);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        async Task SseAsync(TimeSpan readDelay, Memory<long> events, CancellationToken detach)
        {
            try
            {
                using var response = await http.GetAsync("/jobs/events", HttpCompletionOption.ResponseHeadersRead, detach);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(detach));
                while (await reader.ReadLineAsync(detach) is { } line)
                {
                    if (line == "event: job")
                    {
                        events.Span[0]++;
                        if (readDelay > TimeSpan.Zero)
                        {
                            await Task.Delay(readDelay, detach);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
            {
            }
        }

        async Task<string> DrainAsync(HttpResponseMessage response)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var text = new System.Text.StringBuilder();
            try
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(limit.Token));
                var buffer = new char[65536];
                int read;
                while ((read = await reader.ReadAsync(buffer, limit.Token)) > 0)
                {
                    text.Append(buffer, 0, read);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
            {
            }

            return text.ToString();
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
