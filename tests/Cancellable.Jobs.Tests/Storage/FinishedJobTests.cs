using System.Text.Json;
using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.Tests.Storage;

public sealed class FinishedJobTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Ids => [Guid.NewGuid().ToString("N"), "job-0001", "0123456789ABCDEF0123456789ABCDEF"];

    [Theory]
    [MemberData(nameof(Ids))]
    public void ToSnapshot_PlainFinishedJob_EqualsTheSnapshotStored(string id)
    {
        var job = Finished(id);

        var snapshot = new FinishedJob(job, job.Type, job.Owner).ToSnapshot();

        Assert.Equal(job, snapshot);
        Assert.Equal(id, snapshot.Id);
    }

    [Fact]
    public void ToSnapshot_EveryFieldSet_EqualsTheSnapshotStoredWithTimesInUtc()
    {
        using var document = JsonDocument.Parse("""{"input":1,"partial":[2],"result":"three"}""");
        var local = TimeSpan.FromHours(2);
        var job = Finished(Guid.NewGuid().ToString("N")) with
        {
            Status = JobStatus.Cancelled,
            Attempt = 3,
            Tags = ["a", "b"],
            Input = document.RootElement.GetProperty("input"),
            Progress = new JobProgress { Fraction = 0.5, Processed = 5, Total = 10, CurrentStep = "half" },
            Messages = [new JobMessage(JobMessageLevel.Warning, "careful", Epoch)],
            DroppedMessages = new JobMessageCounts(1, 2, 3),
            PartialResult = document.RootElement.GetProperty("partial"),
            Result = document.RootElement.GetProperty("result"),
            Error = new JobError("System.Exception", "boom", "at somewhere"),
            CreatedAt = Epoch.ToOffset(local),
            StartedAt = Epoch.AddSeconds(1).ToOffset(local),
            CompletedAt = Epoch.AddSeconds(3).ToOffset(local),
            CancelRequestedAt = Epoch.AddSeconds(2).ToOffset(local),
            CancelReason = JobCancelReason.Timeout,
            CancelRequestedBy = "admin",
            IsCancellationOverdue = true,
            IsDeleteRequested = true,
            Timeout = TimeSpan.FromSeconds(2),
            ExpiresAt = Epoch.AddDays(1).ToOffset(local),
            PreviousAttempts = [new JobAttempt { Number = 1, Status = JobStatus.Failed }],
            RunId = "run",
        };

        var snapshot = new FinishedJob(job, job.Type, job.Owner).ToSnapshot();

        Assert.Equal(job, snapshot);
        Assert.Equal(TimeSpan.Zero, snapshot.CreatedAt.Offset);
        Assert.Equal(TimeSpan.Zero, snapshot.CompletedAt!.Value.Offset);
        Assert.Same(job.Messages, snapshot.Messages);
        Assert.Same(job.Tags, snapshot.Tags);
    }

    [Fact]
    public void ToSnapshot_JsonValuesWhoseDocumentWasDisposedSince_ReadBackTheirText()
    {
        // The finished form keeps the JSON text, not the caller's document: it outlives that document.
        FinishedJob finished;
        using (var document = JsonDocument.Parse("""{"input":{"n":1},"partial":[2],"result":"three"}"""))
        {
            var job = Finished(Guid.NewGuid().ToString("N")) with
            {
                Input = document.RootElement.GetProperty("input"),
                PartialResult = document.RootElement.GetProperty("partial"),
                Result = document.RootElement.GetProperty("result"),
            };
            finished = new FinishedJob(job, job.Type, job.Owner);
        }

        var snapshot = finished.ToSnapshot();

        Assert.Equal("""{"n":1}""", snapshot.Input!.Value.GetRawText());
        Assert.Equal("[2]", snapshot.PartialResult!.Value.GetRawText());
        Assert.Equal("three", snapshot.Result!.Value.GetString());
        Assert.Equal(snapshot, finished.ToSnapshot());
    }

    [Fact]
    public void ToSnapshot_RareFieldsSetToZeroValues_KeepsThemApartFromNoValue()
    {
        var job = Finished(Guid.NewGuid().ToString("N")) with
        {
            Input = default(JsonElement),
            CancelReason = JobCancelReason.Requested,
            Timeout = TimeSpan.Zero,
            CancelRequestedAt = DateTimeOffset.MinValue,
        };

        var snapshot = new FinishedJob(job, job.Type, job.Owner).ToSnapshot();

        Assert.Equal(job, snapshot);
        Assert.Equal((true, JobCancelReason.Requested, TimeSpan.Zero), (snapshot.Input.HasValue, snapshot.CancelReason, snapshot.Timeout));
        Assert.Null(snapshot.Result);
        Assert.Null(snapshot.PartialResult);
    }

    [Fact]
    public void ToSnapshot_EmptyListsOtherThanTheDefaults_KeepsTheSameLists()
    {
        var job = Finished(Guid.NewGuid().ToString("N")) with { Messages = new List<JobMessage>(), PreviousAttempts = new List<JobAttempt>() };

        var snapshot = new FinishedJob(job, job.Type, job.Owner).ToSnapshot();

        Assert.Equal(job, snapshot);
        Assert.Same(job.Messages, snapshot.Messages);
    }

    [Fact]
    public void ToSnapshot_TimesAtTheirMinimum_KeepsThemApartFromNoTime()
    {
        var job = Finished(Guid.NewGuid().ToString("N")) with { CreatedAt = DateTimeOffset.MinValue, StartedAt = DateTimeOffset.MinValue, ExpiresAt = null };

        var finished = new FinishedJob(job, job.Type, job.Owner);
        var snapshot = finished.ToSnapshot();

        Assert.Equal(job, snapshot);
        Assert.Equal(DateTimeOffset.MinValue, snapshot.StartedAt);
        Assert.Null(snapshot.ExpiresAt);
        Assert.Null(finished.ExpiresAtTicks);
        Assert.Equal(job.CompletedAt!.Value.UtcTicks, finished.CompletedAtTicks);
    }

    [Fact]
    public void ToSnapshot_IdGiven_UsesThatString()
    {
        var job = Finished(Guid.NewGuid().ToString("N"));
        var id = new string(job.Id.ToCharArray());

        Assert.Same(id, new FinishedJob(job, job.Type, job.Owner).ToSnapshot(id).Id);
    }

    [Fact]
    public void Constructor_TypeAndOwnerGiven_KeepsThoseStrings()
    {
        var job = Finished(Guid.NewGuid().ToString("N"));
        var type = new string(job.Type.ToCharArray());
        var owner = new string(job.Owner!.ToCharArray());

        var finished = new FinishedJob(job, type, owner);

        Assert.Same(type, finished.Type);
        Assert.Same(owner, finished.Owner);
        Assert.Equal(job, finished.ToSnapshot());
    }

    [Fact]
    public void Matches_Filters_AgreesWithTheSnapshotFilter()
    {
        var job = Finished(Guid.NewGuid().ToString("N")) with { Tags = ["x", "y"] };
        var finished = new FinishedJob(job, job.Type, job.Owner);
        JobFilter[] filters =
        [
            new(),
            new() { Status = JobStatus.Completed },
            new() { Status = JobStatus.Failed },
            new() { Type = "report" },
            new() { Type = "other" },
            new() { Owner = "ann" },
            new() { Owner = "bob" },
            new() { Tag = "y" },
            new() { Tag = "z" },
            new() { Status = JobStatus.Completed, Type = "report", Owner = "ann", Tag = "x" },
        ];

        Assert.All(filters, filter => Assert.Equal(filter.Matches(job), finished.Matches(filter)));
        Assert.Equal(6, filters.Count(finished.Matches));
    }

    private static JobSnapshot Finished(string id) => new()
    {
        Id = id,
        Type = "report",
        Owner = "ann",
        Status = JobStatus.Completed,
        CreatedAt = Epoch,
        StartedAt = Epoch,
        CompletedAt = Epoch.AddSeconds(1),
        ExpiresAt = Epoch.AddHours(1),
        Progress = new JobProgress { Fraction = 1 },
        Sequence = 42,
        Version = 3,
    };
}
