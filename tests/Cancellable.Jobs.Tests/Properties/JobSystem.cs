using System.Threading.Channels;
using Cancellable.Jobs.Hosting;
using Cancellable.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.Tests.Properties;

/// <summary>
/// The real job manager, in-memory store and runner on a fake clock, with scripted jobs of types <c>alpha</c> and
/// <c>beta</c> and a watcher over every transition. The sweeper is not started: tests call its sweep themselves.
/// </summary>
internal sealed class JobSystem : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Channel<bool> _pulse = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ServiceProvider _provider;
    private readonly IDisposable _pulseSubscription;
    private bool _disposed;

    private JobSystem(ServiceProvider provider, TrackingTimeProvider time, JobScriptController scripts)
    {
        _provider = provider;
        Time = time;
        Scripts = scripts;
        Manager = provider.GetRequiredService<JobManager>();
        Store = (InMemoryJobStore)provider.GetRequiredService<IJobStore>();
        Runner = provider.GetRequiredService<JobRunner>();
        Sweeper = provider.GetRequiredService<JobSweeper>();
        Options = Manager.Options;
        Log = new TransitionLog(Store, Options.MaxMessagesPerLevel);
        _pulseSubscription = Store.Subscribe(_ => Pulse());
        scripts.Changed += Pulse;
        time.Changed += Pulse;
    }

    public TrackingTimeProvider Time { get; }

    public JobScriptController Scripts { get; }

    public IJobManager Jobs => Manager;

    public JobManager Manager { get; }

    public InMemoryJobStore Store { get; }

    public JobRunner Runner { get; }

    public JobSweeper Sweeper { get; }

    public CancellableJobsOptions Options { get; }

    public TransitionLog Log { get; }

    /// <summary>Gets what the library logged that must not happen: failed writes, refused ends, failed claims or sweeps.</summary>
    public ProblemLoggerProvider Problems { get; private init; } = null!;

    public static async Task<JobSystem> StartAsync(Action<CancellableJobsOptions> configure)
    {
        var options = new CancellableJobsOptions();
        configure(options);
        var time = new TrackingTimeProvider(Epoch, options.CancellationGracePeriod);
        var scripts = new JobScriptController();
        var services = new ServiceCollection();
        var problems = new ProblemLoggerProvider();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(problems));
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(scripts);
        services.AddCancellableJobs(configure)
            .AddJob<ScriptedJob, ScriptInput>("alpha")
            .AddJob<ScriptedJob, ScriptInput>("beta");
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var system = new JobSystem(provider, time, scripts) { Problems = problems };
        await system.Runner.StartAsync(CancellationToken.None);
        return system;
    }

    /// <summary>
    /// Waits until <paramref name="problem"/> returns <see langword="null"/>, re-checking on every store change, script
    /// event and timer; fails with the last problem when that takes longer than the hang guard.
    /// </summary>
    public async Task WaitUntilAsync(Func<string?> problem, TimeSpan? hangGuard = null)
    {
        using var guard = new CancellationTokenSource(hangGuard ?? TimeSpan.FromSeconds(20));
        while (problem() is { } current)
        {
            try
            {
                await _pulse.Reader.ReadAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The system did not settle: {problem() ?? current}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Log.Dispose();
        _pulseSubscription.Dispose();
        Scripts.Abort();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Runner.StopAsync(guard.Token);
        await _provider.DisposeAsync();
        Scripts.Dispose();
    }

    private void Pulse() => _pulse.Writer.TryWrite(true);
}
