using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>
/// Scenario 9: jobs/s through a cluster. Start <see cref="Jobs"/> trivial jobs, spread over the instances, and wait until
/// every one finished. The baseline is one instance alone on the same Redis; the other is two instances sharing it, each
/// starting half of the jobs and both claiming from the shared queue. Jobs/s = <see cref="Jobs"/> / Mean.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 10)]
public class RedisThroughputBenchmarks : RedisBenchmarkServer
{
    /// <summary>How many starts are in flight at once, as an app serving many requests would issue them.</summary>
    private const int StartConcurrency = 32;

    private LibraryHost[] _instances = [];

    [Params(2_000)]
    public int Jobs { get; set; }

    [IterationSetup(Target = nameof(OneInstance))]
    public void StartOne() => StartInstances(1);

    [IterationSetup(Target = nameof(TwoInstances))]
    public void StartTwo() => StartInstances(2);

    [IterationCleanup]
    public void StopInstances()
    {
        foreach (var instance in _instances)
        {
            instance.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        FlushServer();
    }

    [Benchmark(Baseline = true)]
    public Task OneInstance() => RunAllAsync();

    [Benchmark]
    public Task TwoInstances() => RunAllAsync();

    private void StartInstances(int count)
    {
        var prefix = NextPrefix();
        _instances = [.. Enumerable.Range(0, count).Select(_ => StartHost(prefix))];
    }

    private async Task RunAllAsync()
    {
        var finished = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The change feed carries every instance's writes, so one subscriber sees every job end wherever it ran.
        using var subscription = _instances[0].Store.Subscribe(change =>
        {
            if (change.Kind == JobChangeKind.Updated && change.Job.Status.IsTerminal() && Interlocked.Increment(ref finished) == Jobs)
            {
                all.TrySetResult();
            }
        });

        await Parallel.ForAsync(0, Jobs, new ParallelOptions { MaxDegreeOfParallelism = StartConcurrency }, async (i, cancellationToken) =>
            await _instances[i % _instances.Length].Manager.StartAsync("trivial", i, cancellationToken: cancellationToken));
        await all.Task;
    }
}
