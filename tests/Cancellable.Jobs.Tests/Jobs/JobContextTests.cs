using System.Text.Json;
using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed class JobContextTests
{
    [Fact]
    public void Constructor_Job_ExposesIdTypeAttemptOwnerAndTags()
    {
        var job = Job() with { Attempt = 3, Owner = "ann", Tags = ["project:1"] };

        var context = NewContext(job: job);

        Assert.Equal((job.Id, "sample", 3, "ann"), (context.JobId, context.JobType, context.Attempt, context.Owner));
        Assert.Equal(["project:1"], context.Tags);
    }

    [Fact]
    public void Step_FirstStepsDeclaredFromManyThreadsAtOnce_AllBelongToTheJob()
    {
        // The job's root step is made on first use: threads racing to make it must all end up on the same one.
        const int Threads = 8;
        for (var round = 0; round < 200; round++)
        {
            var context = NewContext();
            using var go = new Barrier(Threads);
            var threads = Enumerable.Range(0, Threads).Select(i => new Thread(() =>
            {
                go.SignalAndWait();
                context.Step($"step-{i}").ReportProgress(1);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            var progress = Flush(context).Progress;
            Assert.Equal(Threads, progress.Steps.Count);
            Assert.Equal(1, progress.Fraction);
        }
    }

    [Fact]
    public void ApplyTo_NothingReported_ProgressIsNone()
    {
        Assert.Same(JobProgress.None, Flush(NewContext()).Progress);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    public void ReportProgress_InvalidFraction_ThrowsAndKeepsPrevious(double fraction)
    {
        var context = NewContext();
        context.ReportProgress(0.4);

        Assert.Throws<ArgumentOutOfRangeException>(() => context.ReportProgress(fraction));

        Assert.Equal(0.4, Flush(context).Progress.Fraction);
    }

    [Fact]
    public void ReportProgress_Counts_SetsJobCountsAndText()
    {
        var context = NewContext();

        context.ReportProgress(3, 10, "batch 3 of 10");

        var progress = Flush(context).Progress;
        Assert.Equal((0.3, 3L, 10L, "batch 3 of 10"), (progress.Fraction, progress.Processed, progress.Total, progress.CurrentStep));
    }

    [Fact]
    public void ReportProgress_ZeroTotal_CountsAsDone()
    {
        var context = NewContext();

        context.ReportProgress(0, 0);

        Assert.Equal(1, Flush(context).Progress.Fraction);
    }

    [Fact]
    public void ReportProgress_ProcessedAboveTotal_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NewContext().ReportProgress(11, 10));
    }

    [Fact]
    public void ReportProgress_JobHasSteps_OwnFractionIgnored()
    {
        var context = NewContext();
        context.Step("a").ReportProgress(0.2);

        context.ReportProgress(0.9);

        Assert.Equal(0.2, Flush(context).Progress.Fraction, 10);
    }

    [Fact]
    public void ReportProgress_ManyCalls_AllocateNothing()
    {
        var context = NewContext();
        var step = context.Step("load", weight: 2).Step("rows");
        Report(context, step, 1_000);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Report(context, step, 100_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);

        static void Report(JobContext context, JobStep step, int count)
        {
            for (var i = 0; i < count; i++)
            {
                context.ReportProgress(i / (double)count, "rows");
                context.ReportProgress(i, count);
                step.ReportProgress(i, count, "rows");
                step.ReportProgress(0.5);
            }
        }
    }

    [Fact]
    public void Info_MoreThanCapPerLevel_DropsOldestAndCountsPerLevel()
    {
        var context = NewContext(options => options.MaxMessagesPerLevel = 3);

        for (var i = 1; i <= 5; i++)
        {
            context.Info($"info {i}");
        }

        context.Warning("warning 1");
        context.Error("error 1");
        context.Info("info 6");

        var job = Flush(context);
        Assert.Equal(["info 4", "info 5", "warning 1", "error 1", "info 6"], job.Messages.Select(m => m.Text));
        Assert.Equal([JobMessageLevel.Info, JobMessageLevel.Info, JobMessageLevel.Warning, JobMessageLevel.Error, JobMessageLevel.Info], job.Messages.Select(m => m.Level));
        Assert.Equal(new JobMessageCounts(3, 0, 0), job.DroppedMessages);
    }

    [Fact]
    public void Warning_CapReachedOnOneLevel_OtherLevelsKeepTheirs()
    {
        var context = NewContext(options => options.MaxMessagesPerLevel = 2);
        context.Error("e1");
        context.Error("e2");

        for (var i = 0; i < 10; i++)
        {
            context.Warning($"w{i}");
        }

        var job = Flush(context);
        Assert.Equal(["e1", "e2", "w8", "w9"], job.Messages.Select(m => m.Text));
        Assert.Equal(new JobMessageCounts(0, 8, 0), job.DroppedMessages);
    }

    [Fact]
    public void Info_LongerThanLimit_TruncatedWithMarker()
    {
        var context = NewContext(options => options.MaxMessageLength = 16);
        var text = new string('a', 16) + new string('b', 24);

        context.Info(text);

        var kept = Assert.Single(Flush(context).Messages).Text;
        Assert.StartsWith(new string('a', 16) + "…", kept, StringComparison.Ordinal);
        Assert.DoesNotContain("b", kept, StringComparison.Ordinal);
        Assert.EndsWith("[truncated 24 characters]", kept, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_AtLimit_KeptWhole()
    {
        var context = NewContext(options => options.MaxMessageLength = 16);

        context.Info(new string('a', 16));

        Assert.Equal(new string('a', 16), Assert.Single(Flush(context).Messages).Text);
    }

    [Fact]
    public void Info_Message_TimestampedByTimeProvider()
    {
        var time = new TestTimeProvider();
        var context = NewContext(time: time);
        time.Advance(TimeSpan.FromMinutes(5));

        context.Error("<b>not markup</b>");

        var message = Assert.Single(Flush(context).Messages);
        Assert.Equal(time.GetUtcNow(), message.Timestamp);
        Assert.Equal("<b>not markup</b>", message.Text);
    }

    [Fact]
    public void Info_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => NewContext().Info(null!));
    }

    [Fact]
    public void SetPartialResult_LaterMutation_NotSeen()
    {
        var context = NewContext();
        var removed = new List<string> { "a" };

        context.SetPartialResult(removed);
        removed.Add("b");

        var json = Flush(context).PartialResult!.Value;
        Assert.Equal(["a"], json.EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void SetPartialResult_Object_SerializedWithConfiguredOptions()
    {
        var context = NewContext();

        context.SetPartialResult(new { RemovedCount = 2 });

        Assert.Equal(2, Flush(context).PartialResult!.Value.GetProperty("removedCount").GetInt32());
    }

    [Fact]
    public void ApplyTo_NothingNewReported_KeepsJobsMessagesAndPartialResult()
    {
        var context = NewContext();
        var job = Job() with
        {
            Messages = [new JobMessage(JobMessageLevel.Info, "earlier", DateTimeOffset.UnixEpoch)],
            PartialResult = JsonSerializer.SerializeToElement(1),
        };

        var applied = context.ApplyTo(job);

        Assert.Equal("earlier", Assert.Single(applied.Messages).Text);
        Assert.Equal(1, applied.PartialResult!.Value.GetInt32());
    }

    [Fact]
    public void IsDirty_ReportThenApply_ClearedUntilNextReport()
    {
        var context = NewContext();
        Assert.False(context.IsDirty);

        context.ReportProgress(0.1);
        Assert.True(context.IsDirty);
        context.ApplyTo(Job());
        Assert.False(context.IsDirty);

        context.Info("x");
        Assert.True(context.IsDirty);
    }

    internal static JobSnapshot Job() => new()
    {
        Id = "job-1",
        Type = "sample",
        Status = JobStatus.Running,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    internal static JobContext NewContext(Action<CancellableJobsOptions>? configure = null, JobSnapshot? job = null, TimeProvider? time = null)
    {
        var options = new CancellableJobsOptions();
        configure?.Invoke(options);
        return new JobContext(job ?? Job(), options, time ?? new TestTimeProvider());
    }

    internal static JobSnapshot Flush(JobContext context) => context.ApplyTo(Job());
}
