using BenchmarkDotNet.Attributes;
using Cancellable.Jobs.Benchmarks.Baseline;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>Scenario 1: start N trivial jobs and wait until all finished.</summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    private LibraryHost _library = null!;
    private HandRolledJobRunner _baseline = null!;

    [Params(10_000, 100_000)]
    public int Jobs { get; set; }

    [IterationSetup]
    public void Setup()
    {
        _library = LibraryHost.Start();
        _baseline = new HandRolledJobRunner();
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _library.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _baseline.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task HandRolled()
    {
        HandRolledJob last = null!;
        for (var i = 0; i < Jobs; i++)
        {
            last = _baseline.Start(static (_, _) => Task.CompletedTask);
        }

        await last.Done.Task; // one consumer loop: the last job done means all are done
    }

    [Benchmark]
    public async Task Library()
    {
        var finished = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _library.Store.Subscribe(change =>
        {
            if (change.Kind == JobChangeKind.Updated && change.Job.Status.IsTerminal() && Interlocked.Increment(ref finished) == Jobs)
            {
                all.TrySetResult();
            }
        });

        for (var i = 0; i < Jobs; i++)
        {
            await _library.Manager.StartAsync("trivial", i);
        }

        await all.Task;
    }
}
