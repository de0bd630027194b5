using Cancellable.Jobs.Redis.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Redis.Tests.Hosting;

/// <summary>
/// A job that reports far faster than the flush interval costs Redis one write per interval, counted on the change
/// feed of a second connection (every write publishes exactly one change).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisProgressTests(RedisServerFixture redis)
{
    private const int Phases = 4;
    private const int ReportsPerPhase = 2_000;

    public sealed class StormGate
    {
        public SemaphoreSlim PhaseDone { get; } = new(0);

        public SemaphoreSlim Next { get; } = new(0);
    }

    public sealed class StormJob(StormGate gate) : IJob<BlockInput>
    {
        public async Task ExecuteAsync(BlockInput input, JobContext context, CancellationToken cancellationToken)
        {
            for (var phase = 0; phase < Phases; phase++)
            {
                for (var i = 1; i <= ReportsPerPhase; i++)
                {
                    var done = (phase * ReportsPerPhase) + i;
                    context.ReportProgress(done, Phases * ReportsPerPhase);
                    context.Info($"item {done}");
                }

                gate.PhaseDone.Release();
                await gate.Next.WaitAsync(cancellationToken);
            }
        }
    }

    [Fact]
    public async Task ReportProgress_StormOfReports_OneRedisWritePerFlushIntervalAndTheLastValueKept()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var prefix = RedisServerFixture.NewPrefix();
        var gate = new StormGate();
        using var connection = await redis.ConnectAsync();
        using var watcher = new RedisJobStore(redis.Connection, new RedisJobStoreOptions { KeyPrefix = prefix });
        var writes = new List<JobSnapshot>();
        var flushed = new SemaphoreSlim(0);
        using var subscription = watcher.Subscribe(change =>
        {
            if (change.Kind == JobChangeKind.Updated)
            {
                lock (writes)
                {
                    writes.Add(change.Job);
                }

                flushed.Release();
            }
        });
        using var host = await TwoHosts.StartAsync(connection, prefix, time, new RunLog(), "storm", runsJobs: false,
            jobs: j =>
            {
                j.Services.AddSingleton(gate);
                j.AddJob<StormJob, BlockInput>("storm");
            },
            options: o => o.MaxMessagesPerLevel = 100);

        var job = await host.Manager().StartAsync("storm", new BlockInput(false), cancellationToken: timeout.Token);
        await flushed.WaitAsync(timeout.Token); // Pending → Running
        for (var phase = 1; phase <= Phases; phase++)
        {
            await gate.PhaseDone.WaitAsync(timeout.Token);

            // The change of the previous flush can reach this watcher before that flush released the run's write gate;
            // a tick that finds the gate taken skips its write (the next tick makes it), so tick again until it lands.
            // Ticks while nothing new was reported write nothing, so the count below still holds.
            do
            {
                time.Advance(TimeSpan.FromMilliseconds(250));
            }
            while (!await flushed.WaitAsync(TimeSpan.FromSeconds(1), timeout.Token));

            gate.Next.Release();
        }

        var done = await host.Manager().WaitForCompletionAsync(job.Id, timeout.Token);
        await flushed.WaitAsync(timeout.Token); // the end

        Assert.Equal(JobStatus.Completed, done!.Status);
        lock (writes)
        {
            Assert.Equal(1 + Phases + 1, writes.Count);
            Assert.Equal(Enumerable.Range(1, Phases).Select(p => (long?)(p * ReportsPerPhase)), writes.Skip(1).Take(Phases).Select(w => w.Progress.Processed));
        }

        Assert.Equal(Phases * ReportsPerPhase, done.Progress.Processed);
        Assert.Equal(100, done.Messages.Count);
        Assert.Equal($"item {Phases * ReportsPerPhase}", done.Messages[^1].Text);
        Assert.Equal((Phases * ReportsPerPhase) - 100, done.DroppedMessages.Info);
        await host.StopAsync(CancellationToken.None);
    }
}
