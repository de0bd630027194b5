using Cancellable.Jobs.Hosting;
using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Tests.Reliability;

/// <summary>
/// The wall clock jumps an hour forward or back while jobs run and wait for expiry. Timeouts and grace periods are
/// durations, measured on the steady clock: a jump moves them by nothing. Expiry is a wall-clock instant
/// (<see cref="JobSnapshot.ExpiresAt"/>, which clients read): a record is never removed while the wall clock reads
/// earlier than it, and is removed at most <see cref="JobSweeper.IdleInterval"/> of steady time after the wall clock
/// passes it.
/// </summary>
public sealed class ClockJumpTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static Task<JobsHost> StartHostAsync(Action<CancellableJobsOptions>? options = null) =>
        JobsHost.StartAsync(
            options,
            services: services => services.AddSingleton<TimeProvider>(sp => new WallClock(sp.GetRequiredService<TestTimeProvider>())));

    private static WallClock Wall(JobsHost host) => (WallClock)host.Services.GetRequiredService<TimeProvider>();

    [Theory]
    [InlineData(60)]
    [InlineData(30)]
    [InlineData(-60)]
    public async Task Sweeper_WallClockJumps_FinishedJobRemovedOnlyOnceWallClockPassesExpiresAtAndWithinIdleInterval(int jumpMinutes)
    {
        await using var host = await StartHostAsync(o => o.CompletedRetention = Hour);
        var wall = Wall(host);

        // The sweeper's first sleep, with nothing to expire: a job expiring an hour later does not cut it short.
        await host.Time.WaitForTimerAsync(JobSweeper.IdleInterval, cancellationToken: host.Timeout);
        var job = await host.WaitForCompletionAsync((await host.StartScriptAsync((_, _) => Task.CompletedTask)).Id);
        Assert.Equal(job.CompletedAt + Hour, job.ExpiresAt);
        await using var watch = await host.OpenWatchAsync(job.Id);

        wall.Jump(TimeSpan.FromMinutes(jumpMinutes));

        // Step the steady clock one sweeper sleep at a time; the record must stay exactly while the wall clock is early.
        var steps = 0;
        while (await host.Store.GetAsync(job.Id, host.Timeout) is not null)
        {
            Assert.True(steps < 200, "The sweeper never removed the job.");
            var sleeps = host.Time.TimerCount;
            host.Time.Advance(JobSweeper.IdleInterval);
            steps++;
            await host.Time.WaitForTimerAsync(t => t.DueTime <= JobSweeper.IdleInterval && t.Period == Timeout.InfiniteTimeSpan, sleeps, host.Timeout);
            Assert.True(wall.GetUtcNow() >= job.ExpiresAt || await host.Store.GetAsync(job.Id, host.Timeout) is not null, $"Removed at wall time {wall.GetUtcNow():O}, before its expiry {job.ExpiresAt:O}.");
        }

        var removed = await host.WaitForRemovalAsync(watch);
        Assert.Equal(job.Id, removed!.Id);
        Assert.True(wall.GetUtcNow() >= job.ExpiresAt, $"Removed at wall time {wall.GetUtcNow():O}, before its expiry {job.ExpiresAt:O}.");
        Assert.True(wall.GetUtcNow() - job.ExpiresAt <= JobSweeper.IdleInterval, $"Removed {wall.GetUtcNow() - job.ExpiresAt} after its expiry.");
        Assert.Equal(Math.Max(1, 60 - jumpMinutes), steps); // steady minutes waited: retention - jump, at least one sleep
    }

    [Theory]
    [InlineData(60)]
    [InlineData(-60)]
    public async Task Timeout_WallClockJumps_JobCancelledAfterItsTimeoutOfSteadyTimeNotSoonerOrLater(int jumpMinutes)
    {
        await using var host = await StartHostAsync();
        var wall = Wall(host);
        var entered = JobsHost.NewSignal();
        var timers = host.Time.TimerCount;
        var job = await host.StartWaitingJobAsync(entered, new JobStartOptions { Timeout = TimeSpan.FromMinutes(10) });
        await entered.Task.WaitAsync(host.Timeout);
        await host.Time.WaitForTimerAsync(TimeSpan.FromMinutes(10), timers, host.Timeout);

        wall.Jump(TimeSpan.FromMinutes(jumpMinutes));
        host.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(JobStatus.Running, (await host.Store.GetAsync(job.Id, host.Timeout))!.Status);
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal((JobStatus.Cancelled, JobCancelReason.Timeout), (done.Status, done.CancelReason));
        Assert.Equal(done.CompletedAt + TimeSpan.FromHours(1), done.ExpiresAt); // the wall time it ended at, plus retention
    }

    [Theory]
    [InlineData(60)]
    [InlineData(-60)]
    public async Task GracePeriod_WallClockJumps_OverdueAfterItsGracePeriodOfSteadyTime(int jumpMinutes)
    {
        await using var host = await StartHostAsync(o => o.CancellationGracePeriod = TimeSpan.FromSeconds(30));
        var wall = Wall(host);
        var entered = JobsHost.NewSignal();
        var finish = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (_, _) =>
        {
            entered.SetResult();
            await finish.Task;
        });
        await entered.Task.WaitAsync(host.Timeout);
        var timers = host.Time.TimerCount;

        await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout);
        await host.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30), timers, host.Timeout);
        wall.Jump(TimeSpan.FromMinutes(jumpMinutes));
        host.Time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        Assert.False((await host.Store.GetAsync(job.Id, host.Timeout))!.IsCancellationOverdue);
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        var overdue = await host.WaitForAsync(job.Id, j => j.IsCancellationOverdue);

        Assert.Equal(JobStatus.Cancelling, overdue.Status);
        finish.SetResult();
        await host.WaitForCompletionAsync(job.Id);
    }
}
