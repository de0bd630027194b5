using Cancellable.Jobs.Telemetry;
using Cancellable.Jobs.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Cancellable.Jobs.Tests.Reliability;

/// <summary>
/// Untrusted text (a job's error message; owners and tags are never logged) reaches a log message only escaped, so one
/// log call is one line and no text can forge another entry.
/// </summary>
public sealed class LogForgingTests
{
    private const string Forgery = "disk full\r\ninfo: Cancellable.Jobs.Hosting.JobRunner[3]\n      Job 0 completed\u2028\u0085\u001b[2J\u0000<b>x</b>";

    private static bool IsLineBreakOrControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    [Fact]
    public async Task JobFailed_ErrorMessageWithLineBreaksAndControlCharacters_OneLineWithEscapesAndExceptionKept()
    {
        await using var host = await JobsHost.StartAsync(services: s => s.AddLogging(b => b.AddFakeLogging()));
        var job = await host.StartScriptAsync((_, _) => throw new InvalidOperationException(Forgery));
        await host.WaitForCompletionAsync(job.Id);
        await host.StopAsync(); // the runner logs the end after it stored it: stopping waits for the run

        var collector = host.Services.GetRequiredService<FakeLogCollector>();
        var failed = Assert.Single(collector.GetSnapshot(), r => r.Id.Id == 4);

        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.DoesNotContain(failed.Message, IsLineBreakOrControl);
        Assert.Equal(
            $"Job {job.Id} of type script failed: System.InvalidOperationException: disk full\\r\\ninfo: Cancellable.Jobs.Hosting.JobRunner[3]\\n      Job 0 completed\\u2028\\u0085\\u001b[2J\\u0000<b>x</b>",
            failed.Message);
        Assert.Equal(Forgery, failed.Exception!.Message); // the exception itself is handed to the provider as it is, with its stack trace
    }

    [Fact]
    public async Task AnyLog_HostileOwnerTagsAndMessages_NoLoggedMessageHasALineBreakOrControlCharacter()
    {
        await using var host = await JobsHost.StartAsync(services: s => s.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace)));
        var options = new JobStartOptions { Owner = Forgery, Tags = ["a\r\nb", "<script>", "\u2028"] };
        var entered = JobsHost.NewSignal();
        var failed = await host.StartScriptAsync(
            (context, _) =>
            {
                context.Info(Forgery);
                context.ReportProgress(0.5, Forgery);
                throw new FormatException(Forgery);
            },
            options);
        var cancelled = await host.StartWaitingJobAsync(entered, options);
        await host.WaitForCompletionAsync(failed.Id);
        await entered.Task.WaitAsync(host.Timeout);
        await host.Manager.CancelAsync(cancelled.Id, Forgery, host.Timeout);
        await host.WaitForCompletionAsync(cancelled.Id);
        await host.Manager.RetryAsync(cancelled.Id, host.Timeout);
        await host.Manager.DeleteAsync(failed.Id, Forgery, host.Timeout);
        await host.StopAsync();

        var records = host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();
        Assert.True(records.Count >= 6, $"Only {records.Count} records were logged.");
        Assert.All(records, r => Assert.DoesNotContain(r.Message, IsLineBreakOrControl));
    }

    [Property(MaxTest = 500)]
    public Property Escape_AnyText_NoLineBreakOrControlCharacterLeftAndSafeTextUnchanged() =>
        Prop.ForAll(
            ArbMap.Default.ArbFor<string>().Filter(s => s is not null),
            text =>
            {
                var escaped = LogText.Escape(text);
                var safe = !text.Any(IsLineBreakOrControl);
                return !escaped.Any(IsLineBreakOrControl) && (!safe || ReferenceEquals(escaped, text));
            });
}
