using System.Text.Json;

namespace Cancellable.Jobs.Tests.Jobs;

/// <summary>
/// The snapshot keeps its times as UTC ticks and its JSON values beside flags: each property reads back as set, and JSON
/// values compare by their text.
/// </summary>
public sealed class JobSnapshotTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Init_EveryOptionalValueSet_ReadsBackTheSame()
    {
        var input = JsonSerializer.SerializeToElement(new { a = 1 });
        var partial = JsonSerializer.SerializeToElement(2);
        var result = JsonSerializer.SerializeToElement("done");
        var job = New() with
        {
            Input = input,
            PartialResult = partial,
            Result = result,
            StartedAt = T0.AddSeconds(1),
            CompletedAt = T0.AddSeconds(2),
            CancelRequestedAt = T0.AddSeconds(3),
            ExpiresAt = T0.AddSeconds(4),
            CancelReason = JobCancelReason.Timeout,
            Timeout = TimeSpan.FromMinutes(5),
        };

        Assert.Equal(T0, job.CreatedAt);
        Assert.Equal((T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3), T0.AddSeconds(4)), (job.StartedAt, job.CompletedAt, job.CancelRequestedAt, job.ExpiresAt));
        Assert.Equal((JobCancelReason?)JobCancelReason.Timeout, job.CancelReason);
        Assert.Equal(TimeSpan.FromMinutes(5), job.Timeout);
        Assert.Equal("{\"a\":1}", job.Input!.Value.GetRawText());
        Assert.Equal(2, job.PartialResult!.Value.GetInt32());
        Assert.Equal("done", job.Result!.Value.GetString());
    }

    [Fact]
    public void Init_NothingOptionalSet_ReadsBackNull()
    {
        var job = New();

        Assert.Null(job.Input);
        Assert.Null(job.PartialResult);
        Assert.Null(job.Result);
        Assert.Null(job.StartedAt);
        Assert.Null(job.CompletedAt);
        Assert.Null(job.CancelRequestedAt);
        Assert.Null(job.ExpiresAt);
        Assert.Null(job.CancelReason);
        Assert.Null(job.Timeout);
    }

    [Fact]
    public void With_ValuesClearedAgain_ReadBackNullAndEqualTheOriginal()
    {
        var original = New();
        var set = original with { Input = JsonSerializer.SerializeToElement(1), Result = JsonSerializer.SerializeToElement(2), StartedAt = T0, CancelReason = JobCancelReason.Requested, Timeout = TimeSpan.FromSeconds(1) };
        var cleared = set with { Input = null, Result = null, StartedAt = null, CancelReason = null, Timeout = null };

        Assert.NotEqual(original, set);
        Assert.Equal(original, cleared);
        Assert.Null(cleared.Input);
        Assert.Null(cleared.StartedAt);
    }

    [Fact]
    public void Init_ExtremeButRealValues_NotMistakenForNone()
    {
        // The smallest time, a zero timeout, the first cancel reason and an undefined JSON element are values, not "none".
        var job = New() with
        {
            StartedAt = DateTimeOffset.MinValue,
            ExpiresAt = DateTimeOffset.MaxValue,
            Timeout = TimeSpan.Zero,
            CancelReason = (JobCancelReason)0,
            Input = default(JsonElement),
        };

        Assert.Equal(DateTimeOffset.MinValue, job.StartedAt);
        Assert.Equal(DateTimeOffset.MaxValue, job.ExpiresAt);
        Assert.Equal(TimeSpan.Zero, job.Timeout);
        Assert.Equal((JobCancelReason)0, job.CancelReason);
        Assert.Equal(JsonValueKind.Undefined, job.Input!.Value.ValueKind);
    }

    [Fact]
    public void Init_TimeWithAnOffset_ReadsBackTheSameInstantInUtc()
    {
        var local = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.FromHours(2));
        var job = New() with { CreatedAt = local, CompletedAt = local };

        Assert.Equal(local, job.CreatedAt); // DateTimeOffset equality compares instants
        Assert.Equal(TimeSpan.Zero, job.CreatedAt.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), job.CompletedAt);
        Assert.Equal(New() with { CreatedAt = local }, New() with { CreatedAt = local.ToUniversalTime() });
    }

    [Fact]
    public void Equals_SameJsonInDifferentDocuments_EqualWithTheSameHashCode()
    {
        var first = New() with { Input = JsonDocument.Parse("{\"a\":[1,2]}").RootElement, PartialResult = JsonSerializer.SerializeToElement(3), Result = JsonSerializer.SerializeToElement("x") };
        var second = New() with { Input = JsonDocument.Parse("{\"a\":[1,2]}").RootElement, PartialResult = JsonSerializer.SerializeToElement(3), Result = JsonSerializer.SerializeToElement("x") };

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Theory]
    [InlineData(nameof(JobSnapshot.Input))]
    [InlineData(nameof(JobSnapshot.PartialResult))]
    [InlineData(nameof(JobSnapshot.Result))]
    public void Equals_JsonTextDiffers_NotEqual(string member)
    {
        var one = JsonSerializer.SerializeToElement(1);
        var two = JsonSerializer.SerializeToElement(2);
        JobSnapshot With(JsonElement? value) => member switch
        {
            nameof(JobSnapshot.Input) => New() with { Input = value },
            nameof(JobSnapshot.PartialResult) => New() with { PartialResult = value },
            _ => New() with { Result = value },
        };

        Assert.NotEqual(With(one), With(two));
        Assert.NotEqual(With(one), With(null));
        Assert.NotEqual(With(default(JsonElement)), With(null)); // an undefined element is a value
        Assert.NotEqual(With(default(JsonElement)), With(one));
        Assert.Equal(With(default(JsonElement)), With(default(JsonElement)));
    }

    [Fact]
    public void With_EveryRarelySetMemberSetThenCleared_ReadsBackAndEqualsTheOriginalWithItsHashCode()
    {
        // Messages, results, errors, cancellation and history live apart from the other members; cleared, they leave
        // nothing behind that would make two equal jobs unequal.
        var original = New();
        var set = RarelySet(original);

        Assert.Equal([new JobMessage(JobMessageLevel.Info, "hi", T0)], set.Messages);
        Assert.Equal(new JobMessageCounts(1, 2, 3), set.DroppedMessages);
        Assert.Equal(4, set.PartialResult!.Value.GetInt32());
        Assert.Equal(5, set.Result!.Value.GetInt32());
        Assert.Equal(new JobError("E", "boom", null), set.Error);
        Assert.Equal((T0, (JobCancelReason?)JobCancelReason.Timeout, "ann"), (set.CancelRequestedAt!.Value, set.CancelReason, set.CancelRequestedBy));
        Assert.True(set.IsCancellationOverdue && set.IsDeleteRequested);
        Assert.Equal(1, Assert.Single(set.PreviousAttempts).Number);
        Assert.NotEqual(original, set);

        var cleared = set with
        {
            Messages = [],
            DroppedMessages = JobMessageCounts.None,
            PartialResult = null,
            Result = null,
            Error = null,
            CancelRequestedAt = null,
            CancelReason = null,
            CancelRequestedBy = null,
            IsCancellationOverdue = false,
            IsDeleteRequested = false,
            PreviousAttempts = [],
        };

        Assert.Equal(original, cleared);
        Assert.Equal(original.GetHashCode(), cleared.GetHashCode());
    }

    [Fact]
    public void With_RarelySetMemberChangedOnACopy_TheOriginalKeepsItsValues()
    {
        var first = New() with { CancelRequestedBy = "ann", Error = new JobError("E", "boom", null) };

        var second = first with { CancelRequestedBy = "bob" };

        Assert.Equal(("ann", "bob"), (first.CancelRequestedBy, second.CancelRequestedBy));
        Assert.Same(first.Error, second.Error);
        Assert.NotEqual(first, second);
    }

    private static JobSnapshot RarelySet(JobSnapshot job) => job with
    {
        Messages = [new JobMessage(JobMessageLevel.Info, "hi", T0)],
        DroppedMessages = new JobMessageCounts(1, 2, 3),
        PartialResult = JsonSerializer.SerializeToElement(4),
        Result = JsonSerializer.SerializeToElement(5),
        Error = new JobError("E", "boom", null),
        CancelRequestedAt = T0,
        CancelReason = JobCancelReason.Timeout,
        CancelRequestedBy = "ann",
        IsCancellationOverdue = true,
        IsDeleteRequested = true,
        PreviousAttempts = [new JobAttempt { Number = 1, Status = JobStatus.Failed, StartedAt = T0 }],
    };

    private static JobSnapshot New() => new() { Id = "a", Type = "t", Status = JobStatus.Pending, CreatedAt = T0 };
}
