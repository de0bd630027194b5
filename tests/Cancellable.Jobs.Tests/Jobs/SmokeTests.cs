using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed class SmokeTests
{
    public sealed record CountInput(int Count);

    public sealed class CountJob : IJob<CountInput, int>
    {
        public async Task<int> ExecuteAsync(CountInput input, JobContext context, CancellationToken cancellationToken)
        {
            for (var i = 0; i < input.Count; i++)
            {
                context.ReportProgress(i + 1, input.Count, $"item {i + 1}");
                context.Info($"did {i}");
                context.SetPartialResult(i);
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
            }

            return input.Count;
        }
    }

    public sealed class Entered
    {
        public TaskCompletionSource Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public sealed class WaitJob(Entered entered) : IJob<CountInput>
    {
        public async Task ExecuteAsync(CountInput input, JobContext context, CancellationToken cancellationToken)
        {
            context.SetPartialResult(new[] { "a", "b" });
            entered.Signal.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    [Fact]
    public async Task StartWaitCancel_EndToEnd()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<Entered>();
        builder.Services.AddCancellableJobs().AddJob<CountJob>("count").AddJob<WaitJob>("wait");
        using var host = builder.Build();
        await host.StartAsync();
        var manager = host.Services.GetRequiredService<IJobManager>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var job = await manager.StartAsync("count", new CountInput(5), new JobStartOptions { Owner = "me", Tags = ["project:1"] });
        var done = await manager.WaitForCompletionAsync(job.Id, timeout.Token);
        Assert.Equal(JobStatus.Completed, done!.Status);
        Assert.Equal(5, done.Result!.Value.GetInt32());
        Assert.Equal(5, done.Messages.Count);
        Assert.Equal(5, done.Progress.Processed);
        Assert.Equal(1, done.Progress.Fraction);
        Assert.Equal(time.GetUtcNow().AddHours(1), done.ExpiresAt);

        // Running means claimed; the job's code may not have begun yet. Cancel once it has set its partial result.
        var waiting = await manager.StartAsync("wait", new CountInput(1));
        await host.Services.GetRequiredService<Entered>().Signal.Task.WaitAsync(timeout.Token);

        var cancel = await manager.CancelAsync(waiting.Id, "tester", timeout.Token);
        Assert.Equal(JobCommandOutcome.Accepted, cancel.Outcome);
        var cancelled = await manager.WaitForCompletionAsync(waiting.Id, timeout.Token);
        Assert.Equal(JobStatus.Cancelled, cancelled!.Status);
        Assert.Equal(JobCancelReason.Requested, cancelled.CancelReason);
        Assert.Equal("tester", cancelled.CancelRequestedBy);
        Assert.Equal(2, cancelled.PartialResult!.Value.GetArrayLength());

        var retried = await manager.RetryAsync(waiting.Id, timeout.Token);
        Assert.Equal(JobCommandOutcome.Applied, retried.Outcome);
        Assert.Equal(2, retried.Job!.Attempt);

        var stats = await manager.GetStatisticsAsync(JobGrouping.Tag, cancellationToken: timeout.Token);
        Assert.Equal(1, stats.Overall.Completed);
        Assert.Single(stats.Groups);

        time.Advance(TimeSpan.FromHours(1));
        await foreach (var change in manager.WatchAsync(job.Id, timeout.Token))
        {
        }

        Assert.Null(await manager.GetAsync(job.Id, timeout.Token));
        await host.StopAsync(timeout.Token);
    }
}
