using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>
/// Scenario 10: <see cref="Jobs"/> jobs each call <c>ReportProgress</c> in a tight loop for <see cref="StormMilliseconds"/>,
/// then end. The timed operation is the whole storm (start → every job finished); the figure that matters is the store
/// writes per job per second, printed after the run as <c>// writes per job per second</c>: each write adds one to the
/// job's <see cref="JobSnapshot.Version"/>, so a job's writes are its final version less its create, start and end.
/// The bound is one write per <see cref="CancellableJobsOptions.ProgressFlushInterval"/> (4/s by default). The baseline
/// is the same storm on the in-memory store.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RedisProgressStormBenchmarks : RedisBenchmarkServer
{
    private const int StormMilliseconds = 2_000;
    private readonly List<double> _inMemoryRates = [];
    private readonly List<double> _redisRates = [];
    private LibraryHost _host = null!;

    [Params(1, 8)]
    public int Jobs { get; set; }

    protected override void OnStopping()
    {
        Report("in-memory", _inMemoryRates);
        Report("redis", _redisRates);
    }

    [IterationSetup(Target = nameof(InMemory))]
    public void StartInMemory() => _host = LibraryHost.Start(store: b => b.AddJob<ProgressStormJob, int>("storm"));

    [IterationSetup(Target = nameof(Redis))]
    public void StartRedis() => _host = StartHost(NextPrefix(), b => b.AddJob<ProgressStormJob, int>("storm"));

    [IterationCleanup]
    public void Stop()
    {
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        FlushServer();
    }

    [Benchmark(Baseline = true)]
    public Task InMemory() => StormAsync(_inMemoryRates);

    [Benchmark]
    public Task Redis() => StormAsync(_redisRates);

    private static void Report(string store, List<double> rates)
    {
        if (rates.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// writes per job per second ({store}): mean {rates.Average():F2}, max {rates.Max():F2} over {rates.Count} jobs (bound: 1 / ProgressFlushInterval = {1 / new CancellableJobsOptions().ProgressFlushInterval.TotalSeconds:F0})"));
        }
    }

    private async Task StormAsync(List<double> rates)
    {
        var ids = new List<string>(Jobs);
        for (var i = 0; i < Jobs; i++)
        {
            ids.Add((await _host.Manager.StartAsync("storm", StormMilliseconds)).Id);
        }

        foreach (var id in ids)
        {
            var done = (await _host.Manager.WaitForCompletionAsync(id))!;
            var seconds = (done.CompletedAt!.Value - done.StartedAt!.Value).TotalSeconds;
            rates.Add((done.Version - 3) / seconds); // less create, start and end
        }
    }
}

/// <summary>Reports progress as fast as it can for the given number of milliseconds.</summary>
public sealed class ProgressStormJob : IJob<int>
{
    public Task ExecuteAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (input * Stopwatch.Frequency / 1000);
        long i = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            context.ReportProgress(++i, long.MaxValue);
        }

        return Task.CompletedTask;
    }
}
