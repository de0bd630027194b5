using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Tests.Reliability;

/// <summary>
/// Start options from untrusted callers: each is bounded, and a bad one fails the start with a validation error that
/// names it, before any job exists.
/// </summary>
public sealed class HostileStartOptionsTests
{
    [Theory]
    [InlineData(30.0)]
    [InlineData(10_000.0)]
    public async Task StartAsync_TimeoutLongerThanTheSystemTimersTake_ValidationErrorAndNoJob(double days)
    {
        // Regression: such a timeout was accepted, and the job then failed when it started, because the system clock's
        // timers refuse due times over 2^32 - 2 milliseconds (~49.7 days) with an ArgumentOutOfRangeException.
        await using var host = await JobsHost.StartAsync(services: s => s.AddSingleton(TimeProvider.System));

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.StartScriptAsync((_, _) => Task.CompletedTask, new JobStartOptions { Timeout = TimeSpan.FromDays(days) }));

        Assert.Equal("The timeout must be positive and at most 24.20:31:23.6470000.", Assert.Single(ex.Errors["timeout"]));
        Assert.Equal(0, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Total);
    }

    [Fact]
    public async Task StartAsync_LongestTimeoutOnTheSystemClock_JobRunsAndCompletes()
    {
        await using var host = await JobsHost.StartAsync(services: s => s.AddSingleton(TimeProvider.System));

        var job = await host.StartScriptAsync((_, _) => Task.CompletedTask, new JobStartOptions { Timeout = TimeSpan.FromMilliseconds(int.MaxValue) });

        Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(job.Id)).Status);
    }

    [Fact]
    public async Task StartAsync_OversizedOwnerAndTags_ValidationErrorsNameEachAndNoJob()
    {
        await using var host = JobsHost.Build();

        var tooMany = await Assert.ThrowsAsync<JobValidationException>(async () => await host.StartScriptAsync(
            (_, _) => Task.CompletedTask,
            new JobStartOptions { Owner = new string('o', 257), Tags = [.. Enumerable.Range(0, 10_000).Select(i => $"t{i}")] }));
        var tooLong = await Assert.ThrowsAsync<JobValidationException>(async () => await host.StartScriptAsync(
            (_, _) => Task.CompletedTask,
            new JobStartOptions { Tags = ["ok", new string('t', 1024 * 1024)] }));

        Assert.Equal(["owner", "tags"], tooMany.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("A job has at most 32 tags.", Assert.Single(tooMany.Errors["tags"]));
        Assert.Equal("Each tag must be 1 to 256 characters long.", Assert.Single(tooLong.Errors["tags"]));
        Assert.Equal(0, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Total);
    }

    [Fact]
    public async Task StartAsync_OwnerAndTagsWithMarkupAndControlCharacters_KeptVerbatimAsText()
    {
        await using var host = JobsHost.Build();
        const string Owner = "<script>alert(1)</script>\r\nevil\u0000\u001b[31m";
        string[] tags = ["line\nbreak", "tab\there", "<b>bold</b>", "\u2028sep"];

        var job = await host.StartScriptAsync((_, _) => Task.CompletedTask, new JobStartOptions { Owner = Owner, Tags = tags });

        var stored = (await host.Manager.GetAsync(job.Id, host.Timeout))!;
        Assert.Equal(Owner, stored.Owner);
        Assert.Equal(tags, stored.Tags);
        Assert.Equal(job.Id, Assert.Single((await host.Manager.ListAsync(new JobQuery { Tag = "line\nbreak" }, host.Timeout)).Items).Id);
    }
}
