using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Hosting;

/// <summary>Tests of the hosted <c>JobRunner</c>; the DI-scope and progress-flush tests are in partial files beside it.</summary>
public sealed partial class JobRunnerTests
{
    [Fact]
    public async Task ExecuteAsync_MaxConcurrentJobsBusy_FurtherJobsStayPendingUntilSlotFrees()
    {
        await using var host = await JobsHost.StartAsync(options => options.MaxConcurrentJobs = 2);
        var (jobs, entered, release) = await host.StartGatedAsync(3);

        await Task.WhenAll(entered[0].Task, entered[1].Task).WaitAsync(host.Timeout);

        Assert.Equal(JobStatus.Pending, (await host.Manager.GetAsync(jobs[2].Id, host.Timeout))!.Status);
        Assert.False(entered[2].Task.IsCompleted);
        Assert.Equal(2, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Running);

        release[0].SetResult();
        await entered[2].Task.WaitAsync(host.Timeout);
        Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(jobs[0].Id)).Status);

        release[1].SetResult();
        release[2].SetResult();
        Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(jobs[1].Id)).Status);
        Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(jobs[2].Id)).Status);
    }

    [Fact]
    public async Task ExecuteAsync_ManyPendingAndFewSlots_ClaimsNoMoreThanTheFreeSlotsAtATime()
    {
        // The claim loop takes as many jobs as it has free slots in one claim: never more.
        await using var host = await JobsHost.StartAsync(options => options.MaxConcurrentJobs = 3);
        var (jobs, entered, release) = await host.StartGatedAsync(10);

        await Task.WhenAll(entered.Take(3).Select(e => e.Task)).WaitAsync(host.Timeout);
        var stats = (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall;
        Assert.Equal((3, 7), (stats.Running, stats.Pending));
        Assert.All(entered.Skip(3), e => Assert.False(e.Task.IsCompleted));

        release[0].SetResult();
        release[1].SetResult();
        await Task.WhenAll(entered[3].Task, entered[4].Task).WaitAsync(host.Timeout);
        await host.WaitForCompletionAsync(jobs[1].Id);
        stats = (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall;
        Assert.Equal((3, 5, 2), (stats.Running, stats.Pending, stats.Completed));
        Assert.All(entered.Skip(5), e => Assert.False(e.Task.IsCompleted));

        foreach (var gate in release.Skip(2))
        {
            gate.SetResult();
        }

        foreach (var job in jobs)
        {
            Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(job.Id)).Status);
        }
    }

    [Fact]
    public async Task ExecuteAsync_ManyJobsClaimedWhileTheLoopIsBusy_BodiesStartInClaimOrder()
    {
        const int Jobs = 1_000;
        await using var host = await JobsHost.StartAsync();
        var started = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var jobs = new List<JobSnapshot>();
        for (var i = 0; i < Jobs; i++)
        {
            jobs.Add(await host.StartScriptAsync((context, _) =>
            {
                started.Enqueue(context.JobId);
                return Task.CompletedTask;
            }));
        }

        foreach (var job in jobs)
        {
            await host.WaitForCompletionAsync(job.Id);
        }

        // Jobs are claimed oldest first; their bodies must not wait behind later ones (the runner's start tasks once sat
        // in its loop thread's last-in-first-out queue, and the first 20 jobs ran last, at positions 980 and up). A pool
        // thread can be preempted between taking a job and entering it, so the median, not each one, is held.
        var order = started.Select((id, index) => (id, index)).ToDictionary(x => x.id, x => x.index, StringComparer.Ordinal);
        var firstTwenty = jobs.Take(20).Select(job => order[job.Id]).Order().ToList();
        Assert.InRange(firstTwenty[10], 0, 100);
    }

    [Fact]
    public async Task CancelAsync_JobRunningInThisProcess_TokenFiredBeforeCancelReturns()
    {
        await using var host = await JobsHost.StartAsync();
        var entered = JobsHost.NewSignal();
        var token = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = await host.StartScriptAsync(async (_, ct) =>
        {
            token.SetResult(ct);
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        await entered.Task.WaitAsync(host.Timeout);

        var cancel = await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout);

        Assert.Equal(JobCommandOutcome.Accepted, cancel.Outcome);
        Assert.True((await token.Task).IsCancellationRequested);
        Assert.Equal(JobStatus.Cancelled, (await host.WaitForCompletionAsync(job.Id)).Status);
    }

    [Fact]
    public async Task CancelAsync_ThenACancelRecordedByAnotherProcessOnTheSameThread_TheChangeFeedFiresThatToken()
    {
        // A local cancel fires its token itself, so the runner skips its change; the mark saying so must not outlive it.
        await using var host = await JobsHost.StartAsync();
        var entered = new[] { JobsHost.NewSignal(), JobsHost.NewSignal() };
        var local = await host.StartWaitingJobAsync(entered[0]);
        var remote = await host.StartWaitingJobAsync(entered[1]);
        await Task.WhenAll(entered[0].Task, entered[1].Task).WaitAsync(host.Timeout);
        var running = (await host.Store.GetAsync(remote.Id, host.Timeout))!;

        // One thread, both calls complete synchronously on the in-memory store.
        var recorded = await Task.Run(() =>
        {
            Assert.Equal(JobCommandOutcome.Accepted, host.Manager.CancelAsync(local.Id).AsTask().GetAwaiter().GetResult().Outcome);
            var elsewhere = JobTransitions.Cancel(running, host.Time.GetUtcNow(), JobCancelReason.Requested, "elsewhere", _ => TimeSpan.FromHours(1))!;
            return host.Store.ReplaceAsync(running, elsewhere).AsTask().GetAwaiter().GetResult();
        });

        Assert.Equal(JobStatus.Cancelling, recorded!.Status);
        Assert.Equal(JobStatus.Cancelled, (await host.WaitForCompletionAsync(local.Id)).Status);
        var done = await host.WaitForCompletionAsync(remote.Id); // the clock stands still: no poll could have done it
        Assert.Equal((JobStatus.Cancelled, "elsewhere"), (done.Status, done.CancelRequestedBy));
    }

    [Fact]
    public async Task CancelAsync_JobStopsInsideTheCancel_ReturnsBeforeTheJobsEndIsWritten()
    {
        await using var host = await JobsHost.StartAsync();
        var entered = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (_, ct) =>
        {
            // Continuations of this source run where it is cancelled: the job resumes inside Cancel(), on the canceller's
            // thread (Task.Delay would queue it instead).
            var stopped = new TaskCompletionSource();
            await using var registration = ct.Register(() => stopped.TrySetCanceled(ct));
            entered.SetResult();
            await stopped.Task;
        });
        await entered.Task.WaitAsync(host.Timeout);
        using var cancelReturned = new ManualResetEventSlim();
        var endWrittenBeforeCancelReturned = false;
        using var subscription = host.Store.Subscribe(change =>
        {
            if (change.Job.Id == job.Id && change.Job.Status.IsTerminal())
            {
                // Written on the canceller's thread, the end would wait here for a return that cannot come first.
                endWrittenBeforeCancelReturned = !cancelReturned.Wait(TimeSpan.FromSeconds(5));
            }
        });

        // On a pool thread: xunit's synchronization context would make the job's continuation queue rather than run inside
        // Cancel(), as it does in an app.
        var cancel = await Task.Run(async () =>
        {
            var result = await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout);
            cancelReturned.Set();
            return result;
        });

        Assert.Equal(JobCommandOutcome.Accepted, cancel.Outcome);
        Assert.Equal(JobStatus.Cancelled, (await host.WaitForCompletionAsync(job.Id)).Status);
        Assert.False(endWrittenBeforeCancelReturned);
    }

    [Fact]
    public async Task ExecuteAsync_JobThrows_FailedWithErrorTypeAndMessage()
    {
        await using var host = await JobsHost.StartAsync(options => options.FailedRetention = TimeSpan.FromMinutes(7));
        var job = await host.StartScriptAsync((_, _) => throw new InvalidOperationException("the disk is full"));

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(("System.InvalidOperationException", "the disk is full"), (done.Error!.Type, done.Error.Message));
        Assert.Contains("the disk is full", done.Error.StackTrace, StringComparison.Ordinal);
        Assert.Null(done.CancelReason);
        Assert.Equal(done.CompletedAt + TimeSpan.FromMinutes(7), done.ExpiresAt);
    }

    [Fact]
    public async Task ExecuteAsync_JobThrowsAnExceptionWhoseTextThrows_FailedWithAnErrorSayingSo()
    {
        await using var host = await JobsHost.StartAsync();
        var job = await host.StartScriptAsync((_, _) => throw new UnreadableException());

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(typeof(UnreadableException).FullName, done.Error!.Type);
        Assert.Equal("The text of the UnreadableException that failed the job could not be read: its NotSupportedException was thrown.", done.Error.Message);
        Assert.Equal(done.Error.Message, done.Error.StackTrace);
        Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync((await host.StartScriptAsync((_, _) => Task.CompletedTask)).Id)).Status);
    }

    [Fact]
    public async Task ExecuteAsync_CancellationOfAnotherToken_Failed()
    {
        await using var host = await JobsHost.StartAsync();
        using var other = new CancellationTokenSource();
        await other.CancelAsync();
        var job = await host.StartScriptAsync((_, _) => Task.Delay(Timeout.Infinite, other.Token));

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(typeof(TaskCanceledException).FullName, done.Error!.Type);
        Assert.Null(done.CancelReason);
    }

    [Fact]
    public async Task ExecuteAsync_OperationCanceledWithoutToken_Failed()
    {
        await using var host = await JobsHost.StartAsync();
        var job = await host.StartScriptAsync((_, _) => throw new OperationCanceledException("gave up"));

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal((typeof(OperationCanceledException).FullName, "gave up"), (done.Error!.Type, done.Error.Message));
    }

    [Fact]
    public async Task ExecuteAsync_JobIgnoresToken_StaysCancellingAndFlaggedOverdueAfterGracePeriod()
    {
        var grace = TimeSpan.FromSeconds(10);
        await using var host = await JobsHost.StartAsync(options => options.CancellationGracePeriod = grace);
        var entered = JobsHost.NewSignal();
        var release = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (_, _) =>
        {
            entered.SetResult();
            await release.Task;
        });
        await entered.Task.WaitAsync(host.Timeout);

        await host.Manager.CancelAsync(job.Id, "ann", host.Timeout);
        await host.Time.WaitForTimerAsync(grace, cancellationToken: host.Timeout);
        host.Time.Advance(grace - TimeSpan.FromMilliseconds(1));
        var early = await host.Manager.GetAsync(job.Id, host.Timeout);
        Assert.Equal((JobStatus.Cancelling, false), (early!.Status, early.IsCancellationOverdue));

        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        var overdue = await host.WaitForAsync(job.Id, j => j.IsCancellationOverdue);

        Assert.Equal(JobStatus.Cancelling, overdue.Status);
        release.SetResult();
        var done = await host.WaitForCompletionAsync(job.Id);
        Assert.Equal(JobStatus.Completed, done.Status);
    }

    [Fact]
    public async Task ExecuteAsync_JobTimeoutPasses_CancelledWithReasonTimeout()
    {
        await using var host = await JobsHost.StartAsync();
        var entered = JobsHost.NewSignal();
        var job = await host.StartWaitingJobAsync(entered, new JobStartOptions { Timeout = TimeSpan.FromMinutes(1) });
        await entered.Task.WaitAsync(host.Timeout);

        host.Time.Advance(TimeSpan.FromMinutes(1));
        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal((JobStatus.Cancelled, JobCancelReason.Timeout), (done.Status, done.CancelReason));
        Assert.Null(done.CancelRequestedBy);
    }

    [Fact]
    public async Task ExecuteAsync_DefaultTimeoutPasses_CancelledWithReasonTimeout()
    {
        await using var host = await JobsHost.StartAsync(options => options.DefaultTimeout = TimeSpan.FromSeconds(90));
        var entered = JobsHost.NewSignal();
        var job = await host.StartWaitingJobAsync(entered);
        await entered.Task.WaitAsync(host.Timeout);

        host.Time.Advance(TimeSpan.FromSeconds(89));
        Assert.Equal(JobStatus.Running, (await host.Manager.GetAsync(job.Id, host.Timeout))!.Status);
        host.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(JobCancelReason.Timeout, (await host.WaitForCompletionAsync(job.Id)).CancelReason);
    }

    [Fact]
    public async Task StopAsync_RunningJobs_CancelledWithReasonShutdown()
    {
        await using var host = await JobsHost.StartAsync();
        var entered = new[] { JobsHost.NewSignal(), JobsHost.NewSignal() };
        var first = await host.StartWaitingJobAsync(entered[0]);
        var second = await host.StartWaitingJobAsync(entered[1]);
        await Task.WhenAll(entered[0].Task, entered[1].Task).WaitAsync(host.Timeout);

        await host.StopAsync();

        foreach (var job in new[] { first, second })
        {
            var stored = await host.Store.GetAsync(job.Id, host.Timeout);
            Assert.Equal((JobStatus.Cancelled, JobCancelReason.Shutdown), (stored!.Status, stored.CancelReason));
        }
    }

    [Fact]
    public async Task StopAsync_CalledTwiceAtOnce_BothReturnOnceTheRunningJobsEnded()
    {
        // WebApplicationFactory's disposal is one host that stops twice at once.
        await using var host = await JobsHost.StartAsync();
        var entered = JobsHost.NewSignal();
        var job = await host.StartWaitingJobAsync(entered);
        await entered.Task.WaitAsync(host.Timeout);

        // No shutdown timeout: a stop that is not told its runs ended waits until the hang guard fails the test.
        await Task.WhenAll(host.StopAsync(CancellationToken.None), host.StopAsync(CancellationToken.None)).WaitAsync(host.Timeout);

        var stored = await host.Store.GetAsync(job.Id, host.Timeout);
        Assert.Equal((JobStatus.Cancelled, JobCancelReason.Shutdown), (stored!.Status, stored.CancelReason));
    }

    /// <summary>An exception whose message and description throw.</summary>
    private sealed class UnreadableException : Exception
    {
        public override string Message => throw new NotSupportedException();

        public override string ToString() => throw new NotSupportedException();
    }
}
