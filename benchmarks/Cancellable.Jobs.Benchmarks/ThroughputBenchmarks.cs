using BenchmarkDotNet.Attributes;
using Cancellable.Jobs.Benchmarks.Baseline;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>
/// Scenario 1: start N trivial jobs and wait until all finished. Two more rows split the library's run in its halves:
/// the starts alone (the runner not started) and the runner alone (the jobs queued in the iteration's setup).
/// </summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    private LibraryHost _library = null!;
    private HandRolledJobRunner _baseline = null!;

    [Params(10_000, 100_000)]
    public int Jobs { get; set; }

    [IterationSetup(Targets = [nameof(HandRolled), nameof(Library)])]
    public void Setup()
    {
        _library = LibraryHost.Start();
        _baseline = new HandRolledJobRunner();
    }

    [IterationSetup(Target = nameof(LibraryStartsOnly))]
    public void SetupIdle()
    {
        _library = LibraryHost.Build();
        _baseline = new HandRolledJobRunner();
    }

    [IterationSetup(Target = nameof(LibraryRunnerOnly))]
    public void SetupQueued()
    {
        SetupIdle();
        for (var i = 0; i < Jobs; i++)
        {
            _library.Manager.StartAsync("trivial", i).AsTask().GetAwaiter().GetResult();
        }
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
        var (subscription, all) = WatchFinished();
        using var watching = subscription;

        for (var i = 0; i < Jobs; i++)
        {
            await _library.Manager.StartAsync("trivial", i);
        }

        await all;
    }

    /// <summary>The library's starts alone: the host's runner is not started, so the jobs only wait.</summary>
    [Benchmark]
    public async Task LibraryStartsOnly()
    {
        for (var i = 0; i < Jobs; i++)
        {
            await _library.Manager.StartAsync("trivial", i);
        }
    }

    /// <summary>The library's runner alone: the jobs were started in the iteration's setup; the runner starts here.</summary>
    [Benchmark]
    public async Task LibraryRunnerOnly()
    {
        var (subscription, all) = WatchFinished();
        using var watching = subscription;

        await _library.StartAsync();
        await all;
    }

    /// <summary>Subscribes to the library's changes; the task completes once <see cref="Jobs"/> jobs finished.</summary>
    private (IDisposable Subscription, Task AllFinished) WatchFinished()
    {
        var finished = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = _library.Store.Subscribe(change =>
        {
            if (change.Kind == JobChangeKind.Updated && change.Job.Status.IsTerminal() && Interlocked.Increment(ref finished) == Jobs)
            {
                all.TrySetResult();
            }
        });
        return (subscription, all.Task);
    }
}
