using Cancellable.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cancellable.Jobs.Tests.Support;

/// <summary>
/// A host with Cancellable.Jobs on a <see cref="TestTimeProvider"/>, the <see cref="ScriptJob"/> registered as
/// <c>script</c>, and helpers that wait on events with a real-time timeout that only guards against hangs.
/// </summary>
public sealed class JobsHost : IAsyncDisposable
{
    public const string ScriptType = "script";

    private readonly IHost _host;
    private readonly CancellationTokenSource _hangGuard = new(TimeSpan.FromSeconds(30));
    private bool _started;

    private JobsHost(IHost host)
    {
        _host = host;
        Time = host.Services.GetRequiredService<TestTimeProvider>();
        Store = host.Services.GetRequiredService<IJobStore>();
        Scripts = host.Services.GetRequiredService<JobScripts>();
    }

    public IServiceProvider Services => _host.Services;

    public TestTimeProvider Time { get; }

    /// <summary>Gets the manager; resolved on use, because resolving it validates the options.</summary>
    public IJobManager Manager => _host.Services.GetRequiredService<IJobManager>();

    public IJobStore Store { get; }

    public JobScripts Scripts { get; }

    /// <summary>Gets a token that fires after 30 s of real time: a guard against hangs, never a wait.</summary>
    public CancellationToken Timeout => _hangGuard.Token;

    /// <summary>Builds the host without starting it: jobs stay pending, options are not validated yet.</summary>
    public static JobsHost Build(Action<CancellableJobsOptions>? options = null, Action<ICancellableJobsBuilder>? jobs = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        builder.Services.AddLogging();
        builder.Services.AddSingleton<TestTimeProvider>();
        builder.Services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<TestTimeProvider>());
        builder.Services.AddSingleton<JobScripts>();
        var jobsBuilder = builder.Services.AddCancellableJobs(options ?? (_ => { })).AddJob<ScriptJob, ScriptInput>(ScriptType);
        jobs?.Invoke(jobsBuilder);
        services?.Invoke(builder.Services);
        return new JobsHost(builder.Build());
    }

    /// <summary>Builds and starts the host.</summary>
    public static async Task<JobsHost> StartAsync(Action<CancellableJobsOptions>? options = null, Action<ICancellableJobsBuilder>? jobs = null, Action<IServiceCollection>? services = null)
    {
        var host = Build(options, jobs, services);
        await host.StartAsync();
        return host;
    }

    public async Task StartAsync()
    {
        await _host.StartAsync(Timeout);
        _started = true;
    }

    public async Task StopAsync()
    {
        _started = false;
        await _host.StopAsync(Timeout);
    }

    /// <summary>Stops the host; <paramref name="cancellationToken"/> plays the host's shutdown timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _started = false;
        await _host.StopAsync(cancellationToken);
    }

    /// <summary>Creates a signal a job or a test sets once; continuations never run inline.</summary>
    public static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts a <c>script</c> job that runs <paramref name="script"/>.</summary>
    public async Task<JobSnapshot> StartScriptAsync(Func<JobContext, CancellationToken, Task> script, JobStartOptions? options = null) =>
        await Manager.StartAsync(ScriptType, new ScriptInput(Scripts.Add(script)), options, Timeout);

    /// <summary>Starts <paramref name="count"/> jobs; job i signals <c>Entered[i]</c> when it runs, then waits for <c>Release[i]</c>.</summary>
    public async Task<GatedJobs> StartGatedAsync(int count)
    {
        var entered = Enumerable.Range(0, count).Select(_ => NewSignal()).ToArray();
        var release = Enumerable.Range(0, count).Select(_ => NewSignal()).ToArray();
        var jobs = new List<JobSnapshot>();
        for (var i = 0; i < count; i++)
        {
            var n = i;
            jobs.Add(await StartScriptAsync(async (_, _) =>
            {
                entered[n].SetResult();
                await release[n].Task;
            }));
        }

        return new GatedJobs(jobs, entered, release);
    }

    /// <summary>Starts a job that signals <paramref name="entered"/> and then waits for its token.</summary>
    public Task<JobSnapshot> StartWaitingJobAsync(TaskCompletionSource? entered = null, JobStartOptions? options = null) =>
        StartScriptAsync(async (_, ct) =>
        {
            entered?.TrySetResult();
            await Task.Delay(System.Threading.Timeout.Infinite, ct);
        }, options);

    /// <summary>Waits until the job's stored state satisfies <paramref name="condition"/>.</summary>
    public async Task<JobSnapshot> WaitForAsync(string jobId, Func<JobSnapshot, bool> condition)
    {
        await foreach (var change in Manager.WatchAsync(jobId, Timeout))
        {
            if (change.Kind != JobChangeKind.Removed && condition(change.Job))
            {
                return change.Job;
            }
        }

        throw new InvalidOperationException($"Job {jobId} was removed before the condition held.");
    }

    /// <summary>Waits until the job reached a terminal status.</summary>
    public async Task<JobSnapshot> WaitForCompletionAsync(string jobId) =>
        await Manager.WaitForCompletionAsync(jobId, Timeout) ?? throw new InvalidOperationException($"Job {jobId} was removed before it finished.");

    /// <summary>Waits until the job is removed from the store, and returns its last state.</summary>
    public async Task<JobSnapshot?> WaitForRemovalAsync(IAsyncEnumerator<JobChange> watch)
    {
        while (await watch.MoveNextAsync())
        {
            if (watch.Current.Kind == JobChangeKind.Removed)
            {
                return watch.Current.Job;
            }
        }

        return null;
    }

    /// <summary>Opens a watch on one job and reads its current state, so no later change can be missed.</summary>
    public async Task<IAsyncEnumerator<JobChange>> OpenWatchAsync(string jobId)
    {
        var watch = Manager.WatchAsync(jobId, Timeout).GetAsyncEnumerator(Timeout);
        Assert.True(await watch.MoveNextAsync(), $"Job {jobId} does not exist.");
        return watch;
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            try
            {
                await _host.StopAsync(Timeout);
            }
            catch (OperationCanceledException)
            {
                // A test that left a job ignoring its token; the host is disposed anyway.
            }
        }

        _host.Dispose();
        _hangGuard.Dispose();
    }
}

/// <summary>Jobs started by <see cref="JobsHost.StartGatedAsync"/>, with the signals that each sets and waits for.</summary>
public sealed record GatedJobs(IReadOnlyList<JobSnapshot> Jobs, TaskCompletionSource[] Entered, TaskCompletionSource[] Release);
