using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Tests.Hosting;

/// <summary>
/// Two hosts on one Redis, on the real clock, while busy threads at normal priority hold every core.
/// </summary>
/// <remarks>
/// The jobs outlive their lease (5 s against 4 s), so each completes only if its lease was renewed: without renewal
/// it would be marked stale about 4.25 s in (<see cref="RedisLeaseMonitorTests"/> shows that). The lease is renewed
/// every 250 ms, so a false stale marking needs one host's renewals to stall for 3.75 s; busy threads at normal
/// priority only share the cores with the renewal (fair scheduling delays it by tens of milliseconds), so the margin
/// is some fifty times what starvation costs. The assertions are on outcomes, not on timing: every job ran exactly
/// once and completed on its first attempt, none was marked stale.
/// </remarks>
[Collection(RedisCollection.Name)]
public sealed class RedisStarvationTests(RedisServerFixture redis) : IAsyncLifetime
{
    private const string JobType = "timed";
    private const int Jobs = 20;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Renewal = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan JobTime = TimeSpan.FromSeconds(5);
    private readonly string _prefix = RedisServerFixture.NewPrefix();
    private readonly RunLog _log = new();
    private readonly StartedHosts _hosts = new(redis);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public sealed record TimedInput(int Milliseconds);

    /// <summary>Records its run, then reports progress every 100 ms for its whole time.</summary>
    public sealed class TimedJob(RunLog log, HostName host) : IJob<TimedInput>
    {
        public async Task ExecuteAsync(TimedInput input, JobContext context, CancellationToken cancellationToken)
        {
            log.Runs.GetOrAdd(context.JobId, _ => new System.Collections.Concurrent.ConcurrentQueue<string>()).Enqueue(host.Value);
            log.StartedOf(context.JobId).TrySetResult(host.Value);
            var start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < input.Milliseconds)
            {
                context.ReportProgress(Math.Min(1, Stopwatch.GetElapsedTime(start).TotalMilliseconds / input.Milliseconds));
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _hosts.DisposeAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task LeaseRenewal_BusyThreadsOnEveryCore_NoJobRunsTwiceAndNoneIsMarkedStale()
    {
        var first = await StartHostAsync("first");
        var second = await StartHostAsync("second");
        using var stop = new CancellationTokenSource();
        var busy = Enumerable.Range(0, 2 * Environment.ProcessorCount).Select(i => new Thread(() =>
        {
            var spins = 0L;
            while (!stop.IsCancellationRequested)
            {
                spins++;
            }

            GC.KeepAlive(spins);
        }) { IsBackground = true, Priority = ThreadPriority.Normal, Name = $"busy-{i}" }).ToList();
        busy.ForEach(t => t.Start());

        var ids = new List<string>();
        try
        {
            for (var i = 0; i < Jobs; i++)
            {
                var host = i % 2 == 0 ? first : second;
                ids.Add((await host.Manager().StartAsync(JobType, new TimedInput((int)JobTime.TotalMilliseconds), cancellationToken: _timeout.Token)).Id);
            }

            var finals = new List<JobSnapshot>();
            foreach (var id in ids)
            {
                finals.Add((await first.Manager().WaitForCompletionAsync(id, _timeout.Token))!);
            }

            Assert.All(finals, job =>
            {
                Assert.Equal(JobStatus.Completed, job.Status);
                Assert.Null(job.CancelReason);
                Assert.Equal(1, job.Attempt);
                Assert.True(job.CompletedAt - job.StartedAt > Lease, $"job {job.Id} ran {job.CompletedAt - job.StartedAt}, not longer than its lease");
            });
            Assert.All(ids, id => Assert.Single(_log.Runs[id]));
            Assert.Equal(2, ids.Select(id => _log.Runs[id].Single()).Distinct().Count()); // both hosts ran jobs
        }
        finally
        {
            await stop.CancelAsync();
            busy.ForEach(t => t.Join());
        }
    }

    private Task<IHost> StartHostAsync(string name) =>
        _hosts.StartAsync(connection => TwoHosts.StartAsync(
            connection,
            _prefix,
            TimeProvider.System,
            _log,
            name,
            maxConcurrentJobs: Jobs / 2,
            jobs: r => r.AddJob<TimedJob, TimedInput>(JobType),
            redisOptions: o =>
            {
                o.LeaseTime = Lease;
                o.LeaseCheckInterval = Renewal;
            }));
}
