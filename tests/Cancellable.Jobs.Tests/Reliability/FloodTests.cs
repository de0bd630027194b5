using System.Globalization;
using System.Text.Json;
using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Tests.Reliability;

/// <summary>
/// Floods: a million messages to one job, huge texts, inputs and results, and more starts than the queue holds. Each is
/// bounded by a documented limit, with a clear error or a truncation marker, and the host goes on serving.
/// </summary>
public sealed class FloodTests
{
    private const int Million = 1_000_000;

    /// <summary>Returns a string result as long as its input's key says.</summary>
    public sealed class BigResultJob : IJob<ScriptInput, string>
    {
        public Task<string> ExecuteAsync(ScriptInput input, JobContext context, CancellationToken cancellationToken)
        {
            context.SetPartialResult("small");
            context.SetPartialResult(new string('p', int.Parse(input.Key, CultureInfo.InvariantCulture)));
            return Task.FromResult(new string('r', int.Parse(input.Key, CultureInfo.InvariantCulture)));
        }
    }

    private static async Task AssertRunnerServesNextAsync(JobsHost host)
    {
        var next = await host.StartScriptAsync((_, _) => Task.CompletedTask);
        Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(next.Id)).Status);
    }

    [Fact]
    public async Task Step_MoreStepsThanMaxStepsPerJob_ThrowsNamingTheLimitAndKeepsTheStepsDeclared()
    {
        await using var host = await JobsHost.StartAsync(options => options.MaxStepsPerJob = 10);
        var job = await host.StartScriptAsync((context, _) =>
        {
            var outer = context.Step("outer");
            for (var i = 0; i < Million; i++)
            {
                outer.Step($"inner {i}"); // the 10th step overall is "inner 8"
                context.Step("outer"); // an existing step is returned, not counted again
            }

            return Task.CompletedTask;
        });

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(typeof(InvalidOperationException).FullName, done.Error!.Type);
        Assert.Contains("at most 10 steps (CancellableJobsOptions.MaxStepsPerJob); step 'inner 9' was not added", done.Error.Message, StringComparison.Ordinal);
        Assert.Equal(9, Assert.Single(done.Progress.Steps).Steps.Count);
        await AssertRunnerServesNextAsync(host);
    }

    [Fact]
    public async Task Step_NameLongerThan256Characters_ThrowsArgumentException()
    {
        await using var host = await JobsHost.StartAsync();
        var job = await host.StartScriptAsync((context, _) =>
        {
            context.Step(new string('s', 256));
            context.Step(new string('s', 10 * 1024 * 1024));
            return Task.CompletedTask;
        });

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(typeof(ArgumentException).FullName, done.Error!.Type);
        Assert.StartsWith("A step's name is at most 256 characters; this one has 10485760.", done.Error.Message, StringComparison.Ordinal);
        Assert.Equal(256, Assert.Single(done.Progress.Steps).Name.Length);
    }

    [Fact]
    public async Task Info_OneMillionMessagesToOneJob_KeepsNewestThousandAndCountsEveryDroppedOne()
    {
        await using var host = await JobsHost.StartAsync();
        var job = await host.StartScriptAsync((context, _) =>
        {
            for (var i = 0; i < Million; i++)
            {
                context.Info($"message {i}");
            }

            context.Warning("one warning");
            return Task.CompletedTask;
        });

        var done = await host.WaitForCompletionAsync(job.Id);

        var infos = done.Messages.Where(m => m.Level == JobMessageLevel.Info).ToList();
        Assert.Equal(1_000, infos.Count);
        Assert.Equal("message 999000", infos[0].Text);
        Assert.Equal("message 999999", infos[^1].Text);
        Assert.Equal("one warning", done.Messages[^1].Text);
        Assert.Equal(new JobMessageCounts(Million - 1_000, 0, 0), done.DroppedMessages);

        // What the store holds for the job is bounded by the cap, not by the flood: ~1,000 short messages.
        var recordSize = JsonSerializer.SerializeToUtf8Bytes(done).Length;
        Assert.InRange(recordSize, 1, 256 * 1024);
        await AssertRunnerServesNextAsync(host);
    }

    [Fact]
    public async Task Info_TenMegabyteMessage_TruncatedToMaxMessageLengthWithMarker()
    {
        await using var host = await JobsHost.StartAsync();
        const int Huge = 10 * 1024 * 1024;
        var job = await host.StartScriptAsync((context, _) =>
        {
            context.Info(new string('m', Huge));
            return Task.CompletedTask;
        });

        var done = await host.WaitForCompletionAsync(job.Id);

        var text = Assert.Single(done.Messages).Text;
        Assert.Equal(new string('m', 4_096) + $"… [truncated {Huge - 4_096} characters]", text);
    }

    [Fact]
    public async Task ReportProgress_TenMegabyteCurrentStepText_TruncatedToMaxMessageLengthWithMarker()
    {
        // Regression: the current-step text of the job and of its steps was kept whole, however long.
        await using var host = await JobsHost.StartAsync(o => o.MaxMessageLength = 100);
        const int Huge = 10 * 1024 * 1024;
        var job = await host.StartScriptAsync((context, _) =>
        {
            context.ReportProgress(0.5, new string('s', Huge));
            context.Step("load").ReportProgress(1, 2, new string('t', Huge));
            return Task.CompletedTask;
        });

        var done = await host.WaitForCompletionAsync(job.Id);

        var marker = $"… [truncated {Huge - 100} characters]";
        Assert.Equal(new string('s', 100) + marker, done.Progress.CurrentStep);
        Assert.Equal(new string('t', 100) + marker, Assert.Single(done.Progress.Steps).CurrentStep);
    }

    [Fact]
    public async Task ExecuteAsync_ThrowsWithTenMegabyteMessage_ErrorMessageAndStackTraceTruncated()
    {
        // Regression: a failed job's error message and stack trace were kept whole, however long.
        await using var host = await JobsHost.StartAsync();
        const int Huge = 10 * 1024 * 1024;
        var job = await host.StartScriptAsync((_, _) => throw new InvalidOperationException(new string('e', Huge)));

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(new string('e', 4_096) + $"… [truncated {Huge - 4_096} characters]", done.Error!.Message);
        Assert.StartsWith("System.InvalidOperationException: eee", done.Error.StackTrace, StringComparison.Ordinal);
        Assert.InRange(done.Error.StackTrace!.Length, 64 * 1024, (64 * 1024) + 64);
        await AssertRunnerServesNextAsync(host);
    }

    [Fact]
    public async Task StartAsync_InputOverMaxInputSize_ThrowsNamingTheLimitAndCreatesNoJob()
    {
        await using var host = JobsHost.Build(o => o.MaxInputSize = 64 * 1024);
        const int Overhead = 10; // {"key":""}
        await host.Manager.StartAsync(JobsHost.ScriptType, new ScriptInput(new string('k', (64 * 1024) - Overhead)), cancellationToken: host.Timeout);

        var ex = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync(JobsHost.ScriptType, new ScriptInput(new string('k', (64 * 1024) - Overhead + 1)), cancellationToken: host.Timeout));
        using var document = JsonDocument.Parse($$"""{"key":"{{new string('k', 10 * 1024 * 1024)}}"}""");
        var json = await Assert.ThrowsAsync<JobValidationException>(async () =>
            await host.Manager.StartAsync(JobsHost.ScriptType, document.RootElement, cancellationToken: host.Timeout));

        Assert.Equal($"The input is {(64 * 1024) + 1} bytes of JSON; at most {64 * 1024} are accepted (CancellableJobsOptions.MaxInputSize).", Assert.Single(ex.Errors["input"]));
        Assert.Contains("MaxInputSize", Assert.Single(json.Errors["input"]), StringComparison.Ordinal);
        Assert.Equal(1, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Total);
    }

    [Fact]
    public async Task ExecuteAsync_ResultAndPartialResultOverMaxResultSize_NotKeptErrorSaysSoJobStillCompleted()
    {
        await using var host = await JobsHost.StartAsync(
            o => o.MaxResultSize = 64 * 1024,
            jobs => jobs.AddJob<BigResultJob, ScriptInput, string>("big_result"));
        var small = await host.Manager.StartAsync("big_result", new ScriptInput("1000"), cancellationToken: host.Timeout);
        var big = await host.Manager.StartAsync("big_result", new ScriptInput((2 * 1024 * 1024).ToString(CultureInfo.InvariantCulture)), cancellationToken: host.Timeout);

        var smallDone = await host.WaitForCompletionAsync(small.Id);
        var bigDone = await host.WaitForCompletionAsync(big.Id);

        Assert.Equal(1_000, smallDone.Result!.Value.GetString()!.Length);
        Assert.Empty(smallDone.Messages);
        Assert.Equal(JobStatus.Completed, bigDone.Status);
        Assert.Null(bigDone.Result);
        Assert.Equal("small", bigDone.PartialResult!.Value.GetString());
        Assert.Equal(
            [
                $"The partial result is {(2 * 1024 * 1024) + 2} bytes of JSON, more than CancellableJobsOptions.MaxResultSize (65536); it was not kept, the previous one stays.",
                $"The result is {(2 * 1024 * 1024) + 2} bytes of JSON, more than CancellableJobsOptions.MaxResultSize (65536); it was not kept, and the job still counts as completed.",
            ],
            bigDone.Messages.Select(m => m.Text));
        Assert.All(bigDone.Messages, m => Assert.Equal(JobMessageLevel.Error, m.Level));
    }

    [Fact]
    public async Task StartAsync_UnboundedStartsFromEightCallers_ExactlyDefaultMaxPendingJobsAcceptedRestRefused()
    {
        await using var host = JobsHost.Build();
        var options = new CancellableJobsOptions();
        var accepted = 0;
        var refused = 0;
        var input = new ScriptInput("never-run");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < (options.MaxPendingJobs / 8) + 1_000; i++)
            {
                try
                {
                    await host.Manager.StartAsync(JobsHost.ScriptType, input, cancellationToken: host.Timeout);
                    Interlocked.Increment(ref accepted);
                }
                catch (JobQueueFullException ex) when (ex.Message.Contains("100000", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref refused);
                }
            }
        })));

        Assert.Equal(100_000, options.MaxPendingJobs);
        Assert.Equal((100_000, 8_000), (accepted, refused));
        Assert.Equal(100_000, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Pending);

        // The store still answers: reads and a page of the queue.
        var page = await host.Manager.ListAsync(new JobQuery { Status = JobStatus.Pending, PageSize = 10 }, host.Timeout);
        Assert.Equal(10, page.Items.Count);
        Assert.NotNull(await host.Manager.GetAsync(page.Items[0].Id, host.Timeout));
    }
}
