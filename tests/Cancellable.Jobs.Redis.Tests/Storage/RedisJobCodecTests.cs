using System.Text;
using System.Text.Json;
using Cancellable.Jobs.Redis.Serialization;
using Cancellable.Jobs.Redis.Storage;

namespace Cancellable.Jobs.Redis.Tests.Storage;

/// <summary>
/// The published change payload, <c>{kind}|{sequence}|{version}|{json}</c>, where an update's kind carries the job's
/// previous status as one digit. The scripts that write it run in <see cref="RedisJobStoreTests"/>.
/// </summary>
public sealed class RedisJobCodecTests
{
    private static readonly string Json = JsonSerializer.Serialize(
        new JobSnapshot { Id = "a", Type = "t", Status = JobStatus.Completed, CreatedAt = DateTimeOffset.UnixEpoch },
        RedisJobJsonContext.Default.JobSnapshot);

    [Theory]
    [InlineData("U0", JobStatus.Pending)]
    [InlineData("U1", JobStatus.Running)]
    [InlineData("U2", JobStatus.Cancelling)]
    [InlineData("U5", JobStatus.Cancelled)]
    public void ReadChange_UpdateWithPreviousStatus_ReadsIt(string kind, JobStatus previous)
    {
        var change = ReadChange($"{kind}|7|3|{Json}");

        Assert.NotNull(change);
        Assert.Equal((JobChangeKind.Updated, (JobStatus?)previous), (change.Kind, change.PreviousStatus));
        Assert.Equal((7L, 3L, "a"), (change.Job.Sequence, change.Job.Version, change.Job.Id));
    }

    [Theory]
    [InlineData("C", JobChangeKind.Created)]
    [InlineData("R", JobChangeKind.Removed)]
    [InlineData("U", JobChangeKind.Updated)]
    public void ReadChange_KindWithoutPreviousStatus_ReadsItAsUnknown(string kind, JobChangeKind expected)
    {
        var change = ReadChange($"{kind}|7|3|{Json}");

        Assert.NotNull(change);
        Assert.Equal((expected, (JobStatus?)null), (change.Kind, change.PreviousStatus));
    }

    [Theory]
    [InlineData("U6")]
    [InlineData("Ux")]
    [InlineData("C1")]
    [InlineData("U12")]
    [InlineData("X")]
    [InlineData("")]
    public void ReadChange_UnknownKind_IsNoChange(string kind)
    {
        Assert.Null(ReadChange($"{kind}|7|3|{Json}"));
    }

    private static JobChange? ReadChange(string payload) => RedisJobCodec.ReadChange(Encoding.UTF8.GetBytes(payload));
}
