using Cancellable.Jobs;
using RemovalWorkflow.Tests.TestSupport;

namespace RemovalWorkflow.Tests;

public sealed class RemovalQueueJobTests
{
    private const string Group = SimulatedGroupOptions.DefaultGroupWaId;

    private static RemovalQueueInput Input(int batchSize, string group = Group) =>
        new() { GroupWaId = group, BatchSize = batchSize, DelayMs = 0, DryRun = false };

    [Fact]
    public async Task ExecuteAsync_QueuedMembers_RemovesExactlyTheQueueInBatches()
    {
        await using var host = await RemovalHost.StartAsync(new SimulatedGroupOptions { MemberCount = 10, InactiveShare = 0 });
        string[] queued = [host.Group.Members[7].WaId, host.Group.Members[2].WaId, host.Group.Members[5].WaId];
        host.Queue.Enqueue(Group, queued);

        var job = await host.Manager.StartAsync(RemovalQueueJob.JobType, Input(batchSize: 2), cancellationToken: host.Timeout);
        var done = await host.WaitForEndAsync(job.Id);

        Assert.Equal(JobStatus.Completed, done.Status);
        var result = JobResults.Read(done.Result);
        Assert.Equal(queued, result.RemovedWhatsappIds);
        Assert.Equal((2, 2), (result.BatchesDone, result.BatchCount));
        Assert.Equal(queued, host.Group.RemovedMemberIds);
        Assert.Equal(7, host.Group.Members.Count);
        Assert.Empty(host.Queue.List(Group));
        Assert.Empty(done.Progress.Steps); // no sync step: the whole job is the removal
        Assert.Equal((3L, 3L, 1.0), (done.Progress.Processed!.Value, done.Progress.Total!.Value, done.Progress.Fraction));
    }

    [Fact]
    public async Task ExecuteAsync_EmptyQueue_CompletesWithNobodyRemoved()
    {
        await using var host = await RemovalHost.StartAsync(new SimulatedGroupOptions { MemberCount = 5 });

        var job = await host.Manager.StartAsync(RemovalQueueJob.JobType, Input(batchSize: 5), cancellationToken: host.Timeout);
        var done = await host.WaitForEndAsync(job.Id);

        Assert.Equal(JobStatus.Completed, done.Status);
        var result = JobResults.Read(done.Result);
        Assert.Empty(result.RemovedWhatsappIds);
        Assert.Equal((0, 0), (result.BatchesDone, result.BatchCount));
        Assert.Equal((0L, 0L, 1.0), (done.Progress.Processed!.Value, done.Progress.Total!.Value, done.Progress.Fraction));
        Assert.Equal(5, host.Group.Members.Count);
    }

    [Fact]
    public async Task ExecuteAsync_MemberAlreadyLeft_WarnsAndGoesOn()
    {
        await using var host = await RemovalHost.StartAsync(new SimulatedGroupOptions { MemberCount = 4 });
        var member = host.Group.Members[1].WaId;
        host.Queue.Enqueue(Group, ["49000000000@lid", member]);

        var job = await host.Manager.StartAsync(RemovalQueueJob.JobType, Input(batchSize: 5), cancellationToken: host.Timeout);
        var done = await host.WaitForEndAsync(job.Id);

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal([member], JobResults.Read(done.Result).RemovedWhatsappIds);
        var warning = Assert.Single(done.Messages, m => m.Level == JobMessageLevel.Warning);
        Assert.Contains("49000000000@lid", warning.Text, StringComparison.Ordinal);
        Assert.Empty(host.Queue.List(Group));
    }

    [Fact]
    public async Task ExecuteAsync_UnknownGroup_FailsWithTheGatewayError()
    {
        await using var host = await RemovalHost.StartAsync();
        host.Queue.Enqueue("111@g.us", ["4917000000001@lid"]);

        var job = await host.Manager.StartAsync(RemovalQueueJob.JobType, Input(batchSize: 1, group: "111@g.us"), cancellationToken: host.Timeout);
        var done = await host.WaitForEndAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(typeof(InvalidOperationException).FullName, done.Error!.Type);
        Assert.Contains("'111@g.us' does not exist", done.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, JobResults.Read(done.PartialResult).BatchesDone);
    }
}
