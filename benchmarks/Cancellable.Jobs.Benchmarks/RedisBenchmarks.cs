using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>
/// Scenario 8: two app instances share a Redis on loopback; a job runs on A and B cancels it. The baseline is the least a
/// hand-rolled cross-process cancel does: publish the id on a channel, and the subscriber on the other connection
/// cancels the job's token.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
public class RedisCancelLatencyBenchmarks
{
    private LocalRedis _redis = null!;
    private LibraryHost _runner = null!;
    private LibraryHost _client = null!;
    private ConnectionMultiplexer _publisher = null!;
    private ConnectionMultiplexer _subscriber = null!;
    private CancellationTokenSource _baselineJob = null!;
    private TaskCompletionSource _observed = null!;
    private string _libraryJob = null!;

    [GlobalSetup]
    public void Setup()
    {
        _redis = new LocalRedis();
        _runner = LibraryHost.Start(o => o.CancelledRetention = TimeSpan.Zero, b => b.UseRedis(_redis.ConnectionString, r => r.KeyPrefix = "{bench}:"));
        _client = LibraryHost.Start(store: b => b.UseRedis(_redis.ConnectionString, r => r.KeyPrefix = "{bench}:"), runsJobs: false);
        _publisher = ConnectionMultiplexer.Connect(_redis.ConnectionString);
        _subscriber = ConnectionMultiplexer.Connect(_redis.ConnectionString);
        _subscriber.GetSubscriber().Subscribe(RedisChannel.Literal("cancel"), (_, _) =>
        {
            _baselineJob.Cancel();
            _observed.TrySetResult();
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _runner.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _publisher.Dispose();
        _subscriber.Dispose();
        _redis.Dispose();
    }

    [IterationSetup(Target = nameof(HandRolled))]
    public void ArmBaseline()
    {
        _baselineJob = new CancellationTokenSource();
        _observed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [IterationSetup(Target = nameof(Library))]
    public void StartLibraryJob()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _observed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _runner.Signals.Started = started;
        _runner.Signals.Observed = _observed;
        _libraryJob = _runner.Manager.StartAsync("signal", 0).AsTask().GetAwaiter().GetResult().Id;
        started.Task.GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task HandRolled()
    {
        await _publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("cancel"), "job");
        await _observed.Task;
    }

    [Benchmark]
    public async Task Library()
    {
        await _client.Manager.CancelAsync(_libraryJob);
        await _observed.Task;
    }
}
