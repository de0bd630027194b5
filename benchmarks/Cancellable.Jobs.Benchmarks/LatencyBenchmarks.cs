using BenchmarkDotNet.Attributes;
using Cancellable.Jobs.Benchmarks.Baseline;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>Scenario 2: on an idle system, the time from start to the first line of the job's body.</summary>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
public class StartLatencyBenchmarks
{
    private LibraryHost _library = null!;
    private HandRolledJobRunner _baseline = null!;

    [GlobalSetup]
    public void Setup()
    {
        _library = LibraryHost.Start(o => o.CompletedRetention = o.CancelledRetention = TimeSpan.Zero);
        _baseline = new HandRolledJobRunner();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _library.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _baseline.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task HandRolled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _baseline.Start((_, _) =>
        {
            started.TrySetResult();
            return Task.CompletedTask;
        });
        await started.Task;
    }

    [Benchmark]
    public async Task Library()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _library.Signals.Started = started;
        await _library.Manager.StartAsync("start_signal", 0);
        await started.Task;
    }
}

/// <summary>Scenario 3: a job awaiting its token; the time from the cancel call until the body observes it.</summary>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
public class CancelLatencyBenchmarks
{
    private LibraryHost _library = null!;
    private HandRolledJobRunner _baseline = null!;
    private string _libraryJob = null!;
    private HandRolledJob _baselineJob = null!;
    private TaskCompletionSource _observed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _library = LibraryHost.Start(o => o.CancelledRetention = TimeSpan.Zero);
        _baseline = new HandRolledJobRunner();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _library.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _baseline.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(HandRolled))]
    public void StartBaselineJob()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _observed = observed;
        _baselineJob = _baseline.Start(async (_, token) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
                observed.TrySetResult();
                throw;
            }
        });
        started.Task.GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(Library))]
    public void StartLibraryJob()
    {
        _observed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _library.Signals.Started = started;
        _library.Signals.Observed = _observed;
        _libraryJob = _library.Manager.StartAsync("signal", 0).AsTask().GetAwaiter().GetResult().Id;
        started.Task.GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task HandRolled()
    {
        _baseline.Cancel(_baselineJob.Id);
        await _observed.Task;
    }

    [Benchmark]
    public async Task Library()
    {
        await _library.Manager.CancelAsync(_libraryJob);
        await _observed.Task;
    }
}
