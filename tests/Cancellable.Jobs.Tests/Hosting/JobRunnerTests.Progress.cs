using Cancellable.Jobs.Tests.Jobs;
using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Tests.Hosting;

public sealed partial class JobRunnerTests
{
    [Fact]
    public async Task ExecuteAsync_ProgressReported_FlushedOnIntervalAndAtEnd()
    {
        await using var host = await JobsHost.StartAsync(options => options.ProgressFlushInterval = TimeSpan.FromSeconds(1));
        var reported = JobsHost.NewSignal();
        var release = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (context, _) =>
        {
            context.ReportProgress(0.5, "half");
            context.Info("m1");
            context.SetPartialResult(new[] { 1 });
            reported.SetResult();
            await release.Task;
            context.ReportProgress(0.7, "later");
            context.Warning("m2");
            throw new InvalidOperationException("stop");
        });
        await reported.Task.WaitAsync(host.Timeout);

        var before = await host.Manager.GetAsync(job.Id, host.Timeout);
        Assert.Equal((JobStatus.Running, 0.0), (before!.Status, before.Progress.Fraction));
        Assert.Empty(before.Messages);

        host.Time.Advance(TimeSpan.FromSeconds(1));
        var flushed = await host.WaitForAsync(job.Id, j => j.Progress.Fraction == 0.5);
        Assert.Equal("half", flushed.Progress.CurrentStep);
        Assert.Equal("m1", Assert.Single(flushed.Messages).Text);
        Assert.Equal(1, flushed.PartialResult!.Value.GetArrayLength());

        release.SetResult();
        var done = await host.WaitForCompletionAsync(job.Id);
        Assert.Equal((JobStatus.Failed, 0.7, "later"), (done.Status, done.Progress.Fraction, done.Progress.CurrentStep));
        Assert.Equal(["m1", "m2"], done.Messages.Select(m => m.Text));
        Assert.Equal(1, done.PartialResult!.Value.GetArrayLength());
    }

    [Fact]
    public async Task ExecuteAsync_JobStartedBetweenTicks_FirstFlushWaitsOneIntervalAfterItsStart()
    {
        // The runner's one flush timer ticks at 1 s, 2 s, ... from the host's start; this job starts at 0.5 s.
        await using var host = await JobsHost.StartAsync(options => options.ProgressFlushInterval = TimeSpan.FromSeconds(1));
        host.Time.Advance(TimeSpan.FromMilliseconds(500));
        var reported = JobsHost.NewSignal();
        var release = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (context, ct) =>
        {
            context.ReportProgress(0.5);
            reported.SetResult();
            await release.Task.WaitAsync(ct);
        });
        await reported.Task.WaitAsync(host.Timeout);

        host.Time.Advance(TimeSpan.FromMilliseconds(500)); // the tick at 1 s (run and written within Advance): half an interval after the start
        var atFirstTick = (await host.Manager.GetAsync(job.Id, host.Timeout))!.Progress.Fraction;
        host.Time.Advance(TimeSpan.FromSeconds(1)); // the tick at 2 s: one interval and a half after its start
        await host.WaitForAsync(job.Id, j => j.Progress.Fraction == 0.5);
        release.SetResult();
        await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(0.0, atFirstTick);
    }

    [Fact]
    public async Task ExecuteAsync_ManyReportsWithinOneInterval_CoalescedIntoOneWrite()
    {
        await using var host = await JobsHost.StartAsync();
        var changes = new List<JobChange>();
        await using var watch = host.Manager.WatchAsync(new JobFilter { Type = JobsHost.ScriptType }, host.Timeout).GetAsyncEnumerator(host.Timeout);
        var next = watch.MoveNextAsync(); // subscribes before the job exists
        var reported = JobsHost.NewSignal();
        var release = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (context, _) =>
        {
            for (var i = 1; i <= 1_000; i++)
            {
                context.ReportProgress(i, 1_000);
            }

            reported.SetResult();
            await release.Task;
        });
        await reported.Task.WaitAsync(host.Timeout);

        host.Time.Advance(TimeSpan.FromMilliseconds(250));
        await host.WaitForAsync(job.Id, j => j.Progress.Processed == 1_000);
        host.Time.Advance(TimeSpan.FromMilliseconds(250));
        release.SetResult();
        while (await next)
        {
            changes.Add(watch.Current);
            if (watch.Current.Job.Status.IsTerminal())
            {
                break;
            }

            next = watch.MoveNextAsync();
        }

        // Created, claimed (Running), one flush of 1,000 reports (the second interval had nothing new), Completed.
        Assert.Equal(
            [(JobChangeKind.Created, JobStatus.Pending), (JobChangeKind.Updated, JobStatus.Running), (JobChangeKind.Updated, JobStatus.Running), (JobChangeKind.Updated, JobStatus.Completed)],
            changes.Select(c => (c.Kind, c.Job.Status)));
        Assert.Equal(1_000, changes[2].Job.Progress.Processed);
    }

    [Fact]
    public async Task ExecuteAsync_JobWithResult_CompletedWithResultAndFullProgress()
    {
        await using var host = await JobsHost.StartAsync(jobs: jobs => jobs.AddJob<SmokeTests.CountJob, SmokeTests.CountInput, int>("count"));

        var job = await host.Manager.StartAsync("count", new SmokeTests.CountInput(3), cancellationToken: host.Timeout);
        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal((JobStatus.Completed, 3, 1.0), (done.Status, done.Result!.Value.GetInt32(), done.Progress.Fraction));
        Assert.NotNull(done.StartedAt);
        Assert.Equal(done.CompletedAt + TimeSpan.FromHours(1), done.ExpiresAt);
    }
}
