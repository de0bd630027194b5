using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Tests.Hosting;

/// <summary>What every run did, across all hosts of a test.</summary>
public sealed class RunLog
{
    public ConcurrentDictionary<string, ConcurrentQueue<string>> Runs { get; } = new();

    public ConcurrentDictionary<string, TaskCompletionSource<string>> Started { get; } = new();

    public ConcurrentDictionary<string, TaskCompletionSource> CancelObserved { get; } = new();

    public TaskCompletionSource CancelObservedOf(string jobId) =>
        CancelObserved.GetOrAdd(jobId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>When each job's token fired, as a <see cref="Stopwatch"/> timestamp.</summary>
    public ConcurrentDictionary<string, long> CancelObservedAt { get; } = new();

    public TaskCompletionSource<string> StartedOf(string jobId) =>
        Started.GetOrAdd(jobId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
}

public sealed record HostName(string Value);

public sealed record BlockInput(bool Block);

/// <summary>Records its run; blocks until cancelled when asked to, otherwise returns at once.</summary>
public sealed class RecordingJob(RunLog log, HostName host) : IJob<BlockInput>
{
    public async Task ExecuteAsync(BlockInput input, JobContext context, CancellationToken cancellationToken)
    {
        log.Runs.GetOrAdd(context.JobId, _ => new ConcurrentQueue<string>()).Enqueue(host.Value);
        using var registration = cancellationToken.Register(() =>
        {
            log.CancelObservedAt.TryAdd(context.JobId, Stopwatch.GetTimestamp());
            log.CancelObservedOf(context.JobId).TrySetResult();
        });
        log.StartedOf(context.JobId).TrySetResult(host.Value);
        if (input.Block)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}

/// <summary>Builds hosts that share one Redis prefix, each with its own connection, as separate app instances would.</summary>
public static class TwoHosts
{
    public const string JobType = "record";

    public static async Task<IHost> StartAsync(IConnectionMultiplexer connection, string prefix, TimeProvider time, RunLog log, string name, bool runsJobs = true, int maxConcurrentJobs = 20, Action<ICancellableJobsBuilder>? jobs = null, Action<CancellableJobsOptions>? options = null, Action<Cancellable.Jobs.Redis.Storage.RedisJobStoreOptions>? redisOptions = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(log);
        builder.Services.AddSingleton(new HostName(name));
        var registration = builder.Services
            .AddCancellableJobs(o =>
            {
                o.MaxConcurrentJobs = maxConcurrentJobs;
                o.RunnerPollInterval = TimeSpan.FromSeconds(1);
                options?.Invoke(o);
            })
            .UseRedis(connection, o =>
            {
                o.KeyPrefix = prefix;
                redisOptions?.Invoke(o);
            });
        if (runsJobs)
        {
            registration.AddJob<RecordingJob, BlockInput>(JobType);
        }
        else
        {
            registration.AddJob<OtherJob, BlockInput>("other");
        }

        jobs?.Invoke(registration);

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Registers the test's job type with <see cref="JobTypeOptions.RequeueWhenStale"/>.</summary>
    public static void RequeueWhenStale(ICancellableJobsBuilder jobs) => jobs.AddJob<RecordingJob, BlockInput>(JobType, o => o.RequeueWhenStale = true);

    public static IJobManager Manager(this IHost host) => host.Services.GetRequiredService<IJobManager>();

    /// <summary>Watches one job until a change satisfies <paramref name="condition"/>.</summary>
    public static async Task<JobSnapshot> WaitForAsync(this IHost host, string jobId, Func<JobSnapshot, bool> condition, CancellationToken cancellationToken)
    {
        await foreach (var change in host.Manager().WatchAsync(jobId, cancellationToken))
        {
            if (change.Kind != JobChangeKind.Removed && condition(change.Job))
            {
                return change.Job;
            }
        }

        throw new InvalidOperationException($"Job {jobId} was removed before the condition held.");
    }

    /// <summary>A type the "client-only" host registers so that it runs none of the test's jobs.</summary>
    public sealed class OtherJob : IJob<BlockInput>
    {
        public Task ExecuteAsync(BlockInput input, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>
/// The hosts a test started, each on a connection of its own; disposing stops the hosts, then closes their connections.
/// </summary>
public sealed class StartedHosts(RedisServerFixture redis) : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];
    private readonly List<ConnectionMultiplexer> _connections = [];

    /// <summary>Opens a connection and starts a host on it with <paramref name="start"/>.</summary>
    public async Task<IHost> StartAsync(Func<IConnectionMultiplexer, Task<IHost>> start)
    {
        var connection = await redis.ConnectAsync();
        _connections.Add(connection);
        var host = await start(connection);
        _hosts.Add(host);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
