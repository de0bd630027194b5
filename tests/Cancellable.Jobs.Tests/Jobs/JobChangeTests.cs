namespace Cancellable.Jobs.Tests.Jobs;

/// <summary>
/// A change keeps the job's previous status in one byte beside the kind and the job: each status reads back as set, and
/// equality and the text include it.
/// </summary>
public sealed class JobChangeTests
{
    private static readonly JobSnapshot Job = new() { Id = "a", Type = "t", Status = JobStatus.Completed, CreatedAt = DateTimeOffset.UnixEpoch };

    [Fact]
    public void PreviousStatus_NotSet_IsNull()
    {
        var change = new JobChange(JobChangeKind.Updated, Job);

        Assert.Null(change.PreviousStatus);
    }

    [Theory]
    [InlineData(JobStatus.Pending)]
    [InlineData(JobStatus.Running)]
    [InlineData(JobStatus.Cancelling)]
    [InlineData(JobStatus.Completed)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public void PreviousStatus_EachStatus_ReadsBackTheSame(JobStatus status)
    {
        var change = new JobChange(JobChangeKind.Updated, Job) { PreviousStatus = status };

        Assert.Equal(status, change.PreviousStatus);
        Assert.Null((change with { PreviousStatus = null }).PreviousStatus);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(6)]
    [InlineData(255)]
    public void PreviousStatus_UndefinedStatus_Throws(int value)
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new JobChange(JobChangeKind.Updated, Job) { PreviousStatus = (JobStatus)value });

        Assert.Equal("value", thrown.ParamName);
    }

    [Fact]
    public void Equals_DifferentPreviousStatus_IsNotEqual()
    {
        var fromRunning = new JobChange(JobChangeKind.Updated, Job) { PreviousStatus = JobStatus.Running };

        Assert.Equal(fromRunning, new JobChange(JobChangeKind.Updated, Job) { PreviousStatus = JobStatus.Running });
        Assert.NotEqual(fromRunning, fromRunning with { PreviousStatus = JobStatus.Cancelling });
        Assert.NotEqual(fromRunning, fromRunning with { PreviousStatus = null });
        Assert.Contains("PreviousStatus = Running", fromRunning.ToString(), StringComparison.Ordinal);
    }
}
