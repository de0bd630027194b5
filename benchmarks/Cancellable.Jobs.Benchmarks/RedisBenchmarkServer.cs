using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>
/// A redis-server for the whole benchmark class, a fresh key prefix per iteration, and the server emptied after each
/// iteration, so that no iteration reads what another one wrote.
/// </summary>
public abstract class RedisBenchmarkServer
{
    private ConnectionMultiplexer _admin = null!;
    private int _iteration;

    protected LocalRedis Server { get; private set; } = null!;

    [GlobalSetup]
    public void StartServer()
    {
        Server = new LocalRedis();
        _admin = ConnectionMultiplexer.Connect(Server.ConnectionString + ",allowAdmin=true");
    }

    [GlobalCleanup]
    public void StopServer()
    {
        OnStopping();
        _admin.Dispose();
        Server.Dispose();
    }

    /// <summary>Starts a host on the server under a prefix no earlier iteration used.</summary>
    protected LibraryHost StartHost(string prefix, Action<ICancellableJobsBuilder>? jobs = null) =>
        LibraryHost.Start(store: b =>
        {
            b.UseRedis(Server.ConnectionString, r => r.KeyPrefix = prefix);
            jobs?.Invoke(b);
        });

    /// <summary>Runs before the server stops, once the class's benchmarks are done.</summary>
    protected virtual void OnStopping()
    {
    }

    protected string NextPrefix() => $"{{bench-{++_iteration}}}:";

    protected void FlushServer() => _admin.GetServers()[0].FlushAllDatabases();
}
