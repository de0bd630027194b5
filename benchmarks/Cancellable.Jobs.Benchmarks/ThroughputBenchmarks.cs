using BenchmarkDotNet.Attributes;
using Cancellable.Jobs.Benchmarks.Baseline;
using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>
/// Scenario 1: start N trivial jobs and wait until all finished, in steady state. The library row runs on one host built
/// before the first iteration, as an app's is, and each iteration starts with its store empty (the finished jobs are
/// removed after it). Before the first iteration both sides run <see cref="WarmupJobs"/> jobs: .NET compiles a method
/// fully only after it has run a while at its first tier, and the library's hot path (a few dozen methods against the
/// baseline's few) needs about two seconds of work to get there, longer than a short run's iterations together; a host
/// built for each iteration compiles code again (its service provider's resolvers among it) and delays it further.
/// Three more rows split the library's run: the starts alone (the runner not started), the runner alone (the jobs queued
/// in the iteration's setup; the runner starts in the measured part), and the in-memory store alone (each job's three
/// writes, from one thread, with no manager, runner or job code). The first two need a host that has not started and so
/// build one per iteration.
/// </summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    private LibraryHost? _running; // the library row's host, built once
    private LibraryHost? _library; // a host built for one iteration
    private HandRolledJobRunner _baseline = null!;
    private InMemoryJobStore _store = null!;
    private string[] _ids = [];

    [Params(10_000, 100_000)]
    public int Jobs { get; set; }

    /// <summary>The jobs each side runs before its first iteration, in rounds of 10,000.</summary>
    public const int WarmupJobs = 500_000;

    [GlobalSetup(Target = nameof(HandRolled))]
    public void WarmBaseline()
    {
        for (var round = 0; round < WarmupJobs / 10_000; round++)
        {
            SetupBaseline();
            RunBaseline(10_000).GetAwaiter().GetResult();
            CleanupBaseline();
        }
    }

    [GlobalSetup(Target = nameof(Library))]
    public void StartHost()
    {
        _running = LibraryHost.Start();
        for (var round = 0; round < WarmupJobs / 10_000; round++)
        {
            RunLibrary(10_000).GetAwaiter().GetResult();
            EmptyStore();
        }
    }

    [GlobalCleanup(Target = nameof(Library))]
    public void StopHost() => _running!.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(HandRolled))]
    public void SetupBaseline() => _baseline = new HandRolledJobRunner();

    [IterationCleanup(Target = nameof(HandRolled))]
    public void CleanupBaseline() => _baseline.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationCleanup(Target = nameof(Library))]
    public void EmptyStore()
    {
        _running!.Store.TrimFinishedAsync(0).AsTask().GetAwaiter().GetResult();
        if (((InMemoryJobStore)_running.Store).Count != 0)
        {
            throw new InvalidOperationException("The store still holds jobs after the iteration.");
        }
    }

    [IterationSetup(Target = nameof(LibraryStartsOnly))]
    public void SetupIdle() => _library = LibraryHost.Build();

    [IterationSetup(Target = nameof(LibraryRunnerOnly))]
    public void SetupQueued()
    {
        SetupIdle();
        for (var i = 0; i < Jobs; i++)
        {
            _library!.Manager.StartAsync("trivial", i).AsTask().GetAwaiter().GetResult();
        }
    }

    [IterationCleanup(Targets = [nameof(LibraryStartsOnly), nameof(LibraryRunnerOnly)])]
    public void StopIterationHost() => _library!.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(StoreOnly))]
    public void SetupStore()
    {
        _store = new InMemoryJobStore();
        _ids = [.. Enumerable.Range(0, Jobs).Select(_ => Guid.NewGuid().ToString("N"))]; // the library's ids are 32 hex digits too
    }

    [Benchmark(Baseline = true)]
    public Task HandRolled() => RunBaseline(Jobs);

    [Benchmark]
    public Task Library() => RunLibrary(Jobs);

    private async Task RunBaseline(int jobs)
    {
        HandRolledJob last = null!;
        for (var i = 0; i < jobs; i++)
        {
            last = _baseline.Start(static (_, _) => Task.CompletedTask);
        }

        await last.Done.Task; // one consumer loop: the last job done means all are done
    }

    private async Task RunLibrary(int jobs)
    {
        var (subscription, all) = WatchFinished(_running!, jobs);
        using var watching = subscription;

        for (var i = 0; i < jobs; i++)
        {
            await _running!.Manager.StartAsync("trivial", i);
        }

        await all;
    }

    /// <summary>The library's starts alone: the host's runner is not started, so the jobs only wait.</summary>
    [Benchmark]
    public async Task LibraryStartsOnly()
    {
        for (var i = 0; i < Jobs; i++)
        {
            await _library!.Manager.StartAsync("trivial", i);
        }
    }

    /// <summary>The library's runner alone: the jobs were started in the iteration's setup; the runner starts here.</summary>
    [Benchmark]
    public async Task LibraryRunnerOnly()
    {
        var (subscription, all) = WatchFinished(_library!, Jobs);
        using var watching = subscription;

        await _library!.StartAsync();
        await all;
    }

    /// <summary>
    /// The in-memory store alone, through its public API: for each job the three writes the library makes (created,
    /// claimed, ended), from one thread, with one subscriber as the runner and the library row have. Neither a runner nor
    /// a manager can make the library faster than its store.
    /// </summary>
    [Benchmark]
    public async Task StoreOnly()
    {
        var finished = 0;
        using var watching = _store.Subscribe(change =>
        {
            if (change.Kind == JobChangeKind.Updated && change.Job.Status.IsTerminal())
            {
                finished++;
            }
        });
        string[] types = ["trivial"];
        var now = DateTimeOffset.UtcNow;
        var expires = now.AddHours(1);
        Func<JobSnapshot, JobSnapshot> start = job => job with { Status = JobStatus.Running, StartedAt = now, RunId = "run", Version = job.Version + 1 };
        for (var i = 0; i < Jobs; i++)
        {
            await _store.CreateAsync(new JobSnapshot { Id = _ids[i], Type = "trivial", Status = JobStatus.Pending, CreatedAt = now }, int.MaxValue);
            var running = (await _store.ClaimNextAsync(types, start))!;
            await _store.ReplaceAsync(running, running with { Status = JobStatus.Completed, CompletedAt = now, ExpiresAt = expires, RunId = null, Version = running.Version + 1 });
        }

        if (finished != Jobs)
        {
            throw new InvalidOperationException($"{finished} of {Jobs} jobs ended.");
        }
    }

    /// <summary>Subscribes to the host's changes; the task completes once <paramref name="jobs"/> jobs finished.</summary>
    private static (IDisposable Subscription, Task AllFinished) WatchFinished(LibraryHost library, int jobs)
    {
        var finished = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = library.Store.Subscribe(change =>
        {
            if (change.Kind == JobChangeKind.Updated && change.Job.Status.IsTerminal() && Interlocked.Increment(ref finished) == jobs)
            {
                all.TrySetResult();
            }
        });
        return (subscription, all.Task);
    }
}
