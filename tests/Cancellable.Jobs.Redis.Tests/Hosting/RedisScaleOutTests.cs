using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Cancellable.Jobs.Redis.Tests.Hosting;

/// <summary>
/// Several hosts (app instances) sharing one Redis prefix, each with its own connection. The fake clock is never
/// advanced unless a test says so: then only pub/sub can have carried a notification, not the runner's poll.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisScaleOutTests(RedisServerFixture redis, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = RedisServerFixture.NewPrefix();
    private readonly RunLog _log = new();
    private readonly StartedHosts _hosts = new(redis);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _hosts.DisposeAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Cancel_IssuedOnAnotherInstance_ReachesTheRunningJobThroughPubSub()
    {
        const int Trials = 100;
        var runner = await StartHostAsync("runner");
        var client = await StartHostAsync("client", runsJobs: false);
        var latencies = new List<double>(Trials);

        for (var i = 0; i < Trials; i++)
        {
            var job = await runner.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), cancellationToken: _timeout.Token);
            await _log.StartedOf(job.Id).Task.WaitAsync(_timeout.Token);

            var before = Stopwatch.GetTimestamp();
            var result = await client.Manager().CancelAsync(job.Id, "client", _timeout.Token);
            await _log.CancelObservedOf(job.Id).Task.WaitAsync(_timeout.Token);
            latencies.Add(Stopwatch.GetElapsedTime(before, _log.CancelObservedAt[job.Id]).TotalMilliseconds);

            Assert.Equal(JobCommandOutcome.Accepted, result.Outcome);
            var done = await client.Manager().WaitForCompletionAsync(job.Id, _timeout.Token);
            Assert.Equal(JobStatus.Cancelled, done!.Status);
            Assert.Equal("client", done.CancelRequestedBy);
        }

        latencies.Sort();
        output.WriteLine($"cross-instance cancel latency over {Trials} trials (CancelAsync on one host → token fired on the other): p50 {Percentile(latencies, 0.50):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms, max {latencies[^1]:F2} ms");
        Assert.Equal(Trials, _log.Runs.Count);
    }

    [Fact]
    public async Task CancelAll_OnAClientInstance_CancelsJobsRunningOnTwoOtherInstances()
    {
        var first = await StartHostAsync("first", maxConcurrentJobs: 3);
        var second = await StartHostAsync("second", maxConcurrentJobs: 3);
        var client = await StartHostAsync("client", runsJobs: false);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await first.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), cancellationToken: _timeout.Token)).Id);
        }

        var hosts = await Task.WhenAll(ids.Select(id => _log.StartedOf(id).Task.WaitAsync(_timeout.Token)));
        Assert.Equal(3, hosts.Count(h => h == "first"));
        Assert.Equal(3, hosts.Count(h => h == "second"));

        var count = await client.Manager().CancelAllAsync(new JobFilter { Type = TwoHosts.JobType }, "client", _timeout.Token);

        Assert.Equal(6, count);
        foreach (var id in ids)
        {
            await _log.CancelObservedOf(id).Task.WaitAsync(_timeout.Token);
            Assert.Equal(JobStatus.Cancelled, (await client.Manager().WaitForCompletionAsync(id, _timeout.Token))!.Status);
        }
    }

    [Fact]
    public async Task Claim_ManyJobsAndTwoRunningInstances_EveryJobRunsExactlyOnce()
    {
        const int Jobs = 300;
        var first = await StartHostAsync("first", maxConcurrentJobs: 4);
        await StartHostAsync("second", maxConcurrentJobs: 4);
        var ids = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            ids.Add((await first.Manager().StartAsync(TwoHosts.JobType, new BlockInput(false), cancellationToken: _timeout.Token)).Id);
        }

        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Completed, (await first.Manager().WaitForCompletionAsync(id, _timeout.Token))!.Status);
        }

        Assert.Equal(Jobs, _log.Runs.Count);
        Assert.All(ids, id => Assert.Single(_log.Runs[id]));
        var perHost = _log.Runs.Values.SelectMany(r => r).GroupBy(h => h).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"runs per host: {string.Join(", ", perHost.Select(p => $"{p.Key}={p.Value}"))}");
        Assert.Equal(2, perHost.Count);
        var stats = await first.Manager().GetStatisticsAsync(cancellationToken: _timeout.Token);
        Assert.Equal(Jobs, stats.Overall.Completed);
        Assert.Equal(Jobs, stats.Overall.Total);
    }

    [Fact]
    public async Task Cancel_PubSubConnectionsKilled_EveryCancelStillObservedAtTheNextPoll()
    {
        var runner = await StartHostAsync("runner");
        var client = await StartHostAsync("client", runsJobs: false);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await runner.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), cancellationToken: _timeout.Token)).Id);
        }

        await Task.WhenAll(ids.Select(id => _log.StartedOf(id).Task.WaitAsync(_timeout.Token)));

        using var admin = await redis.ConnectAsync();
        long killed;
        int count, beforePoll;
        try
        {
            killed = (long)await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
            count = await client.Manager().CancelAllAsync(cancellationToken: _timeout.Token);
            beforePoll = ids.Count(id => _log.CancelObserved.TryGetValue(id, out var seen) && seen.Task.IsCompleted);

            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAll(ids.Select(id => _log.CancelObservedOf(id).Task.WaitAsync(_timeout.Token)));
        }
        finally
        {
            await redis.ReconnectAsync(); // the kill hit the shared connection's subscriptions too
        }

        output.WriteLine($"killed {killed} pub/sub connections; {beforePoll} of {ids.Count} cancels were observed before the poll");
        Assert.True(killed >= 2, $"expected the subscriptions of both hosts to be killed, killed {killed}");
        Assert.Equal(5, count);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private Task<IHost> StartHostAsync(string name, bool runsJobs = true, int maxConcurrentJobs = 20) =>
        _hosts.StartAsync(connection => TwoHosts.StartAsync(connection, _prefix, _time, _log, name, runsJobs, maxConcurrentJobs));
}
