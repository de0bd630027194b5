using Cancellable.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>A job that returns at once.</summary>
public sealed class TrivialJob : IJob<int>
{
    public Task ExecuteAsync(int input, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A job that tells <see cref="Signals"/> it started, and returns.</summary>
public sealed class StartSignalJob(Signals signals) : IJob<int>
{
    public Task ExecuteAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        signals.Started?.TrySetResult();
        return Task.CompletedTask;
    }
}

/// <summary>A job that tells <see cref="Signals"/> it started, then waits for its token and tells that it saw it.</summary>
public sealed class SignalJob(Signals signals) : IJob<int>
{
    public async Task ExecuteAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        signals.Started?.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            signals.Observed?.TrySetResult();
            throw;
        }
    }
}

/// <summary>The latches a benchmark arms before it starts or cancels a <see cref="SignalJob"/>.</summary>
public sealed class Signals
{
    public TaskCompletionSource? Started { get; set; }

    public TaskCompletionSource? Observed { get; set; }
}

/// <summary>A host running the library with the benchmark jobs, as an app would.</summary>
public sealed class LibraryHost : IAsyncDisposable
{
    private readonly IHost _host;

    private LibraryHost(IHost host)
    {
        _host = host;
        Manager = host.Services.GetRequiredService<IJobManager>();
        Store = host.Services.GetRequiredService<IJobStore>();
        Signals = host.Services.GetRequiredService<Signals>();
    }

    public IJobManager Manager { get; }

    public IJobStore Store { get; }

    public Signals Signals { get; }

    public static LibraryHost Start(Action<CancellableJobsOptions>? configure = null, Action<ICancellableJobsBuilder>? store = null, bool runsJobs = true)
    {
        var library = Build(configure, store, runsJobs);
        library.StartAsync().GetAwaiter().GetResult();
        return library;
    }

    /// <summary>
    /// Builds the host without starting it: its manager and store work, and jobs started now wait until
    /// <see cref="StartAsync"/> starts the runner.
    /// </summary>
    public static LibraryHost Build(Action<CancellableJobsOptions>? configure = null, Action<ICancellableJobsBuilder>? store = null, bool runsJobs = true)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Signals>();
        var jobs = builder.Services.AddCancellableJobs(o =>
        {
            o.MaxPendingJobs = 10_000_000;
            o.MaxRetainedJobs = 10_000_000;
            configure?.Invoke(o);
        });
        if (runsJobs)
        {
            jobs.AddJob<TrivialJob, int>("trivial")
                .AddJob<SignalJob, int>("signal")
                .AddJob<StartSignalJob, int>("start_signal");
        }

        store?.Invoke(jobs);
        return new LibraryHost(builder.Build());
    }

    /// <summary>Starts the host: its runner, sweeper and the app's other hosted services.</summary>
    public Task StartAsync() => _host.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
