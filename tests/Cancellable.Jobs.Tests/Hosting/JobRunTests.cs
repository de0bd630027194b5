using Cancellable.Jobs.Hosting;
using Cancellable.Jobs.Tests.Reliability;
using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Hosting;

public sealed class JobRunTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    [Fact]
    public void StartOverdueTimer_RunAlreadyEnded_LeavesNoTimer()
    {
        var time = new CountingTimeProvider();
        using var run = NewRun(time);
        run.StartTimeout(time, static _ => { });
        run.StopTimers(); // the job's code returned

        // A late cancel, as the runner's poll sends when it finds the run's record already finished.
        Assert.True(run.TryCancel(JobCancelReason.Stale));
        run.StartOverdueTimer(time, Grace, static _ => { });

        Assert.Equal(0, time.LiveTimers);
    }

    [Fact]
    public void StartOverdueTimer_RunStillRunning_StartsOneTimerThatStopTimersDisposes()
    {
        var time = new CountingTimeProvider();
        using var run = NewRun(time);
        var overdue = 0;
        run.StartTimeout(time, static _ => { });
        Assert.True(run.TryCancel(JobCancelReason.Requested));

        run.StartOverdueTimer(time, Grace, _ => overdue++);
        run.StartOverdueTimer(time, Grace, _ => overdue++);
        Assert.Equal(1, time.LiveTimersWithPeriod(Timeout.InfiniteTimeSpan));
        time.Advance(Grace);
        Assert.Equal(1, overdue);

        run.StopTimers();
        Assert.Equal(0, time.LiveTimers);
    }

    [Fact]
    public async Task BeginEndAsync_FlushWriting_WaitsUntilTheFlushEnds()
    {
        var time = new CountingTimeProvider();
        using var run = NewRun(time);
        Assert.True(run.TryBeginFlush());

        var end = run.BeginEndAsync().AsTask();
        await Task.Yield();
        Assert.False(end.IsCompleted);
        Assert.False(run.TryBeginFlush()); // one writer at a time

        run.EndFlush();
        await end.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(run.TryBeginFlush()); // the end took the writes for good
    }

    [Fact]
    public async Task BeginEndAsync_RacingManyFlushes_NeverOverlapsOneAndNoFlushStartsAfter()
    {
        for (var round = 0; round < 200; round++)
        {
            var time = new CountingTimeProvider();
            using var run = NewRun(time);
            var writers = 0;
            var overlaps = 0;
            var flushes = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                for (var i = 0; i < 50; i++)
                {
                    if (run.TryBeginFlush())
                    {
                        if (Interlocked.Increment(ref writers) != 1)
                        {
                            Interlocked.Increment(ref overlaps);
                        }

                        Thread.SpinWait(20);
                        Interlocked.Decrement(ref writers);
                        run.EndFlush();
                    }
                }
            })).ToArray();

            await run.BeginEndAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, Volatile.Read(ref writers)); // the end holds the writes alone
            await Task.WhenAll(flushes).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, overlaps);
            Assert.False(run.TryBeginFlush());
        }
    }

    private static JobRun NewRun(TimeProvider time)
    {
        var job = new JobSnapshot { Id = "a", Type = JobsHost.ScriptType, Status = JobStatus.Running, RunId = "run-1", CreatedAt = time.GetUtcNow() };
        return new JobRun(job, new JobTypeDescriptor<ScriptJob, ScriptInput>(JobsHost.ScriptType), new JobContext(job, new CancellableJobsOptions(), time), time.GetTimestamp());
    }
}
