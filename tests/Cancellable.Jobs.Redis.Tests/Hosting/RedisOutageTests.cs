using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Tests.Hosting;

/// <summary>
/// Redis goes away and comes back (restarted without persistence, so empty) while two hosts run.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisOutageTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Hosts_RedisRestarted_FailClearlyWhileDownThenRecoverAndCancelAcrossInstancesAgain()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var prefix = RedisServerFixture.NewPrefix();
        var log = new RunLog();
        using var runnerConnection = await redis.ConnectAsync();
        using var clientConnection = await redis.ConnectAsync();
        using var runner = await TwoHosts.StartAsync(runnerConnection, prefix, time, log, "runner");
        using var client = await TwoHosts.StartAsync(clientConnection, prefix, time, log, "client", runsJobs: false);
        var before = await runner.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), cancellationToken: timeout.Token);
        await log.StartedOf(before.Id).Task.WaitAsync(timeout.Token);
        var restored = new[] { runnerConnection, clientConnection }.Select(Restored).ToArray();

        await redis.StopServerAsync();
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => client.Manager().CancelAsync(before.Id, cancellationToken: timeout.Token).AsTask());
            Assert.True(error is RedisConnectionException or RedisTimeoutException, $"unexpected {error.GetType()}: {error.Message}");
            Assert.False(log.CancelObserved.ContainsKey(before.Id));
        }
        finally
        {
            await redis.StartServerAsync();
            await redis.ReconnectAsync(); // the shared connection lost its subscriptions with the server
        }

        await Task.WhenAll(restored).WaitAsync(timeout.Token);

        // The restarted server is empty: the runner's poll finds the job gone and stops its copy.
        time.Advance(TimeSpan.FromSeconds(1));
        await log.CancelObservedOf(before.Id).Task.WaitAsync(timeout.Token);

        var after = await runner.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), cancellationToken: timeout.Token);
        time.Advance(TimeSpan.FromSeconds(1));
        await log.StartedOf(after.Id).Task.WaitAsync(timeout.Token);
        await client.Manager().CancelAsync(after.Id, "client", timeout.Token);
        await log.CancelObservedOf(after.Id).Task.WaitAsync(timeout.Token); // through the restored subscription: the clock stands still
        var done = await client.Manager().WaitForCompletionAsync(after.Id, timeout.Token);

        Assert.Equal(JobStatus.Cancelled, done!.Status);
        await runner.StopAsync(timeout.Token);
        await client.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task EndOfRun_RedisUnresponsiveWhenTheJobEnds_OutcomeIsWrittenOnceRedisIsBack()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var prefix = RedisServerFixture.NewPrefix();
        var log = new RunLog();
        var retrying = new SignalLoggerProvider("EndRetrying");
        using var connection = await redis.ConnectAsync();
        using var runner = await TwoHosts.StartAsync(connection, prefix, time, log, "runner", jobs: b => b.Services.AddSingleton<ILoggerProvider>(retrying));
        var job = await runner.Manager().StartAsync(TwoHosts.JobType, new BlockInput(true), new JobStartOptions { Timeout = TimeSpan.FromSeconds(5) }, timeout.Token);
        await log.StartedOf(job.Id).Task.WaitAsync(timeout.Token);

        await redis.PauseServerAsync();
        try
        {
            time.Advance(TimeSpan.FromSeconds(5)); // the job times out and ends while Redis does not answer
            await log.CancelObservedOf(job.Id).Task.WaitAsync(timeout.Token);
            await retrying.Logged.Task.WaitAsync(timeout.Token); // the end's write timed out; a retry is scheduled
        }
        finally
        {
            await redis.ResumeServerAsync();
        }

        var ended = runner.WaitForAsync(job.Id, j => j.Status.IsTerminal(), timeout.Token);
        time.Advance(TimeSpan.FromSeconds(1)); // past the first retry's wait (250 ms)
        var done = await ended;

        Assert.Equal((JobStatus.Cancelled, JobCancelReason.Timeout, 1), (done.Status, done.CancelReason, done.Attempt));
        Assert.NotNull(done.ExpiresAt);
        await runner.StopAsync(timeout.Token);
        await redis.ReconnectAsync(); // the shared connection may have timed out while the server was frozen
    }

    private static Task Restored(ConnectionMultiplexer connection)
    {
        var interactive = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionRestored += (_, e) => (e.ConnectionType == ConnectionType.Subscription ? subscription : interactive).TrySetResult();
        return Task.WhenAll(interactive.Task, subscription.Task);
    }
}
