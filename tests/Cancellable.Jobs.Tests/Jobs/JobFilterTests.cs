namespace Cancellable.Jobs.Tests.Jobs;

/// <summary>
/// Which changes a filter lets through to a watcher: those whose job matches after the change or matched before it.
/// </summary>
public sealed class JobFilterTests
{
    private static readonly JobFilter Running = new() { Status = JobStatus.Running };

    [Theory]
    [InlineData(JobStatus.Pending, JobStatus.Running, true)]
    [InlineData(JobStatus.Running, JobStatus.Running, true)]
    [InlineData(JobStatus.Running, JobStatus.Cancelling, true)]
    [InlineData(JobStatus.Running, JobStatus.Completed, true)]
    [InlineData(JobStatus.Running, JobStatus.Failed, true)]
    [InlineData(JobStatus.Running, JobStatus.Cancelled, true)]
    [InlineData(JobStatus.Cancelling, JobStatus.Cancelled, false)]
    [InlineData(JobStatus.Pending, JobStatus.Cancelled, false)]
    [InlineData(JobStatus.Failed, JobStatus.Pending, false)]
    public void Matches_UpdateUnderStatusFilter_LetsThroughChangesIntoAndOutOfTheStatus(JobStatus before, JobStatus after, bool expected)
    {
        var change = new JobChange(JobChangeKind.Updated, Job(after)) { PreviousStatus = before };

        Assert.Equal(expected, Running.Matches(change));
    }

    [Fact]
    public void Matches_UpdateWhosePreviousStatusIsUnknown_IsLetThroughWhenTheOtherCriteriaMatch()
    {
        var filter = Running with { Type = "mine" };

        Assert.True(filter.Matches(new JobChange(JobChangeKind.Updated, Job(JobStatus.Completed, "mine"))));
        Assert.False(filter.Matches(new JobChange(JobChangeKind.Updated, Job(JobStatus.Completed, "other"))));
    }

    [Theory]
    [InlineData(JobChangeKind.Created, JobStatus.Pending, false)]
    [InlineData(JobChangeKind.Removed, JobStatus.Completed, false)]
    [InlineData(JobChangeKind.Removed, JobStatus.Running, true)]
    public void Matches_CreatedOrRemoved_MatchesTheJobAsItIs(JobChangeKind kind, JobStatus status, bool expected)
    {
        Assert.Equal(expected, Running.Matches(new JobChange(kind, Job(status))));
    }

    [Fact]
    public void Matches_LeavingTheStatusButAnotherCriterionDiffers_IsNotLetThrough()
    {
        var filter = Running with { Owner = "ann", Tag = "t1" };
        var change = new JobChange(JobChangeKind.Updated, Job(JobStatus.Completed) with { Owner = "ann", Tags = ["t2"] }) { PreviousStatus = JobStatus.Running };

        Assert.False(filter.Matches(change));
        Assert.True(filter.Matches(change with { Job = change.Job with { Tags = ["t1"] } }));
    }

    [Theory]
    [InlineData(JobStatus.Pending)]
    [InlineData(JobStatus.Completed)]
    public void Matches_NoStatusCriterion_MatchesOnTheJobAlone(JobStatus previous)
    {
        var filter = new JobFilter { Type = "mine" };

        Assert.True(filter.Matches(new JobChange(JobChangeKind.Updated, Job(JobStatus.Running, "mine")) { PreviousStatus = previous }));
        Assert.False(filter.Matches(new JobChange(JobChangeKind.Updated, Job(JobStatus.Running, "other")) { PreviousStatus = previous }));
        Assert.True(new JobFilter().Matches(new JobChange(JobChangeKind.Removed, Job(JobStatus.Failed))));
    }

    [Fact]
    public void Matches_NullChange_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Running.Matches((JobChange)null!));
    }

    private static JobSnapshot Job(JobStatus status, string type = "t") => new() { Id = "a", Type = type, Status = status, CreatedAt = DateTimeOffset.UnixEpoch };
}
