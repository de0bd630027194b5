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

    private static JobRun NewRun(TimeProvider time)
    {
        var job = new JobSnapshot { Id = "a", Type = JobsHost.ScriptType, Status = JobStatus.Running, RunId = "run-1", CreatedAt = time.GetUtcNow() };
        return new JobRun(job, new JobTypeDescriptor<ScriptJob, ScriptInput>(JobsHost.ScriptType), new JobContext(job, new CancellableJobsOptions(), time), time.GetTimestamp());
    }
}
