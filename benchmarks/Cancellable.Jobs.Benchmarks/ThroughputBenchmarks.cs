using BenchmarkDotNet.Attributes;
using Cancellable.Jobs.Benchmarks.Baseline;
using Cancellable.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;

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
/// build one per iteration. A last row, <see cref="LeastWork"/>, runs the same jobs on the least work a design that keeps
/// the library's promises does, to tell how close to the baseline any such design gets on this machine.
/// </summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    private LibraryHost? _running; // the library row's host, built once
    private LibraryHost? _library; // a host built for one iteration
    private HandRolledJobRunner _baseline = null!;
    private InMemoryJobStore _store = null!;
    private ServiceProvider _leastWorkServices = null!;
    private LeastWorkJobRunner _leastWork = null!;
    private Task _leastWorkEnded = Task.CompletedTask;
    private string[] _ids = [];

    [Params(10_000, 100_000)]
    public int Jobs { get; set; }

    /// <summary>The jobs each side runs before its first iteration, in rounds of <see cref="WarmupRound"/>.</summary>
    public const int WarmupJobs = 500_000;

    private const int WarmupRound = 10_000;

    [GlobalSetup(Target = nameof(HandRolled))]
    public void WarmBaseline()
    {
        for (var round = 0; round < WarmupJobs / WarmupRound; round++)
        {
            SetupBaseline();
            RunBaseline(WarmupRound).GetAwaiter().GetResult();
            CleanupBaseline();
        }
    }

    [GlobalSetup(Target = nameof(LeastWork))]
    public void WarmLeastWork()
    {
        _leastWorkServices = new ServiceCollection().AddTransient<TrivialJob>().BuildServiceProvider();
        for (var round = 0; round < WarmupJobs / WarmupRound; round++)
        {
            SetupLeastWork(WarmupRound);
            RunLeastWork(WarmupRound).GetAwaiter().GetResult();
        }
    }

    [IterationSetup(Target = nameof(LeastWork))]
    public void SetupLeastWork() => SetupLeastWork(Jobs);

    [GlobalCleanup(Target = nameof(LeastWork))]
    public void DisposeLeastWork() => _leastWorkServices.Dispose();

    [GlobalSetup(Target = nameof(Library))]
    public void StartHost()
    {
        _running = LibraryHost.Start();
        for (var round = 0; round < WarmupJobs / WarmupRound; round++)
        {
            RunLibrary(WarmupRound).GetAwaiter().GetResult();
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
        StartJobs(_library!, Jobs).GetAwaiter().GetResult();
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
        var (subscription, all) = WatchFinished(_running!.Store, jobs);
        using var watching = subscription;

        await StartJobs(_running, jobs);
        await all;
    }

    /// <summary>
    /// The least work any design with the library's promises does (<see cref="LeastWorkJobRunner"/>): how close to
    /// the baseline the library could get on this machine.
    /// </summary>
    [Benchmark]
    public Task LeastWork() => RunLeastWork(Jobs);

    private void SetupLeastWork(int jobs)
    {
        var (onChange, ended) = CountEnds(jobs);
        _leastWork = new LeastWorkJobRunner(_leastWorkServices, onChange);
        _leastWorkEnded = ended;
    }

    private Task RunLeastWork(int jobs)
    {
        for (var i = 0; i < jobs; i++)
        {
            _leastWork.Start<TrivialJob>(i);
        }

        return _leastWorkEnded;
    }

    /// <summary>The library's starts alone: the host's runner is not started, so the jobs only wait.</summary>
    [Benchmark]
    public Task LibraryStartsOnly() => StartJobs(_library!, Jobs);

    /// <summary>The library's runner alone: the jobs were started in the iteration's setup; the runner starts here.</summary>
    [Benchmark]
    public async Task LibraryRunnerOnly()
    {
        var (subscription, all) = WatchFinished(_library!.Store, Jobs);
        using var watching = subscription;

        await _library.StartAsync();
        await all;
    }

    /// <summary>
    /// The in-memory store alone, through its public API: for each job the three writes the library makes (created,
    /// claimed, ended), from one thread, with the library row's subscriber counting ends. Neither a runner nor
    /// a manager can make the library faster than its store.
    /// </summary>
    [Benchmark]
    public async Task StoreOnly()
    {
        var (subscription, all) = WatchFinished(_store, Jobs);
        using var watching = subscription;
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

        if (!all.IsCompleted)
        {
            throw new InvalidOperationException($"Not all {Jobs} jobs ended.");
        }
    }

    /// <summary>Starts <paramref name="jobs"/> trivial jobs on <paramref name="library"/>, one after another.</summary>
    private static async Task StartJobs(LibraryHost library, int jobs)
    {
        for (var i = 0; i < jobs; i++)
        {
            await library.Manager.StartAsync("trivial", i);
        }
    }

    /// <summary>Subscribes to the store's changes; the task completes once <paramref name="jobs"/> jobs finished.</summary>
    private static (IDisposable Subscription, Task AllFinished) WatchFinished(IJobStore store, int jobs)
    {
        var (onChange, all) = CountEnds(jobs);
        return (store.Subscribe(onChange), all);
    }

    /// <summary>A subscriber that counts ends; the task completes once <paramref name="jobs"/> jobs finished.</summary>
    private static (Action<JobChange> OnChange, Task AllFinished) CountEnds(int jobs)
    {
        var finished = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (change =>
        {
            if (change.Kind == JobChangeKind.Updated && change.Job.Status.IsTerminal() && Interlocked.Increment(ref finished) == jobs)
            {
                all.TrySetResult();
            }
        }, all.Task);
    }
}
