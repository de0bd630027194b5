using Cancellable.Jobs;
using RemovalWorkflow.Tests.TestSupport;

namespace RemovalWorkflow.Tests;

public sealed class RemovalWorkflowJobTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(1234);

    private static RemovalWorkflowInput Input(int batchSize, TimeSpan delay, bool dryRun = false) => new()
    {
        GroupWaId = SimulatedGroupOptions.DefaultGroupWaId,
        BatchSize = batchSize,
        DelayMs = (int)delay.TotalMilliseconds,
        DryRun = dryRun,
    };

    [Fact]
    public async Task ExecuteAsync_SmallGroup_RemovesInactiveMembersInBatchesAndReportsProgress()
    {
        await using var host = await RemovalHost.StartAsync(new SimulatedGroupOptions { MemberCount = 12, InactiveShare = 0.5 });
        var inactive = host.InactiveIds();
        Assert.Equal(6, inactive.Count);
        var active = host.Group.Members.Select(m => m.WaId).Except(inactive).ToList();

        var job = await host.Manager.StartAsync(RemovalWorkflowJob.JobType, Input(batchSize: 4, Delay), cancellationToken: host.Timeout);

        // Batch 1 is done and the job waits between batches: flush once and look at the progress.
        await host.Time.WaitForTimerAsync(Delay, host.Timeout);
        host.Time.Advance(TimeSpan.FromMilliseconds(250));
        var midway = await host.WaitForAsync(job.Id, j => j.Progress.Processed == 4);
        Assert.Equal(JobStatus.Running, midway.Status);
        Assert.Equal(6, midway.Progress.Total);
        Assert.Equal("batch 1 of 2", midway.Progress.CurrentStep);
        Assert.Equal(["sync", "remove"], midway.Progress.Steps.Select(s => s.Name));
        Assert.Equal([1.0, 4.0], midway.Progress.Steps.Select(s => s.Weight));
        Assert.Equal(1.0, midway.Progress.Steps[0].Fraction);
        Assert.Equal(4.0 / 6, midway.Progress.Steps[1].Fraction, 6);
        Assert.Equal((1 + (4 * (4.0 / 6))) / 5, midway.Progress.Fraction, 6);
        Assert.Equal(inactive.Take(4), JobResults.Read(midway.PartialResult).RemovedWhatsappIds);
        Assert.Equal(inactive.Take(4), host.Group.RemovedMemberIds);

        host.Time.Advance(Delay - TimeSpan.FromMilliseconds(250));
        var done = await host.WaitForEndAsync(job.Id);

        Assert.Equal(JobStatus.Completed, done.Status);
        var result = JobResults.Read(done.Result);
        Assert.Equal(inactive, result.RemovedWhatsappIds);
        Assert.Empty(result.WouldRemoveWhatsappIds);
        Assert.Equal((2, 2), (result.BatchesDone, result.BatchCount));
        Assert.Equal(inactive, JobResults.Read(done.PartialResult).RemovedWhatsappIds);
        Assert.Equal((6L, 6L, 1.0), (done.Progress.Processed!.Value, done.Progress.Total!.Value, done.Progress.Fraction));
        Assert.Equal("batch 2 of 2", done.Progress.CurrentStep);
        Assert.Equal(active, host.Group.Members.Select(m => m.WaId));
        Assert.Empty(host.Queue.List(SimulatedGroupOptions.DefaultGroupWaId));
        var infos = done.Messages.Where(m => m.Level == JobMessageLevel.Info).Select(m => m.Text).ToList();
        Assert.Contains(infos, t => t.StartsWith("Sync: 6 of 12 members", StringComparison.Ordinal));
        Assert.Contains(infos, t => t.StartsWith("Batch 1 of 2: removed 4 of 4", StringComparison.Ordinal));
        Assert.Contains(infos, t => t.StartsWith("Batch 2 of 2: removed 2 of 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_DryRun_RemovesNobodyButReportsWhoWouldGo()
    {
        await using var host = await RemovalHost.StartAsync(new SimulatedGroupOptions { MemberCount = 10, InactiveShare = 0.3 });
        var inactive = host.InactiveIds();
        Assert.Equal(3, inactive.Count);

        var job = await host.Manager.StartAsync(RemovalWorkflowJob.JobType, Input(batchSize: 2, TimeSpan.Zero, dryRun: true), cancellationToken: host.Timeout);
        var done = await host.WaitForEndAsync(job.Id);

        Assert.Equal(JobStatus.Completed, done.Status);
        var result = JobResults.Read(done.Result);
        Assert.True(result.DryRun);
        Assert.Empty(result.RemovedWhatsappIds);
        Assert.Equal(inactive, result.WouldRemoveWhatsappIds);
        Assert.Equal((2, 2), (result.BatchesDone, result.BatchCount));
        Assert.Equal(10, host.Group.Members.Count);
        Assert.Empty(host.Group.RemovedMemberIds);
        Assert.Equal(inactive, host.Queue.List(SimulatedGroupOptions.DefaultGroupWaId)); // left for a real run
        Assert.Equal((3L, 3L), (done.Progress.Processed!.Value, done.Progress.Total!.Value));
        Assert.Contains(done.Messages, m => m.Text.Contains("would remove", StringComparison.Ordinal) && m.Text.Contains(inactive[0], StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_CancelledDuringDelay_StopsAtOnceAndKeepsThePartialResult()
    {
        await using var host = await RemovalHost.StartAsync(new SimulatedGroupOptions { MemberCount = 20, InactiveShare = 0.5 });
        var inactive = host.InactiveIds();
        var startedAt = host.Time.GetUtcNow();

        var job = await host.Manager.StartAsync(RemovalWorkflowJob.JobType, Input(batchSize: 3, Delay), cancellationToken: host.Timeout);
        await host.Time.WaitForTimerAsync(Delay, host.Timeout);
        var cancel = await host.Manager.CancelAsync(job.Id, "tester", host.Timeout);
        var done = await host.WaitForEndAsync(job.Id);

        Assert.Equal(JobCommandOutcome.Accepted, cancel.Outcome);
        Assert.Equal(JobStatus.Cancelled, done.Status);
        Assert.Equal(JobCancelReason.Requested, done.CancelReason);
        Assert.Equal(startedAt, host.Time.GetUtcNow()); // not a tick of the delay had to pass
        var partial = JobResults.Read(done.PartialResult);
        Assert.Equal(inactive.Take(3), partial.RemovedWhatsappIds);
        Assert.Equal((1, 4), (partial.BatchesDone, partial.BatchCount));
        Assert.Null(done.Result);
        Assert.Equal(inactive.Take(3), host.Group.RemovedMemberIds);
        Assert.Equal(inactive.Skip(3), host.Queue.List(SimulatedGroupOptions.DefaultGroupWaId));
        Assert.Equal(3, done.Progress.Processed);
    }

    [Fact]
    public async Task ExecuteAsync_CancelledMidBatch_FinishesTheBatchBeforeStopping()
    {
        GatedGateway? gate = null;
        await using var host = await RemovalHost.StartAsync(
            new SimulatedGroupOptions { MemberCount = 20, InactiveShare = 0.5 },
            inner => gate = new GatedGateway(inner) { HoldRemovalNumber = 2 });
        var inactive = host.InactiveIds();

        var job = await host.Manager.StartAsync(RemovalWorkflowJob.JobType, Input(batchSize: 3, Delay), cancellationToken: host.Timeout);
        await gate!.Entered.Task.WaitAsync(host.Timeout); // the second removal of batch 1 is in flight
        Assert.Equal(JobCommandOutcome.Accepted, (await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout)).Outcome);
        await host.Time.WaitForTimerAsync(RemovalHost.GracePeriod, host.Timeout); // the runner fired the job's token
        gate.HoldRemoval.SetResult();
        var done = await host.WaitForEndAsync(job.Id);

        Assert.Equal(JobStatus.Cancelled, done.Status);
        Assert.Equal(inactive.Take(3), host.Group.RemovedMemberIds);
        var partial = JobResults.Read(done.PartialResult);
        Assert.Equal(inactive.Take(3), partial.RemovedWhatsappIds);
        Assert.Equal(1, partial.BatchesDone);
        Assert.Equal(3, gate.RemovalTokens.Count);
        Assert.All(gate.RemovalTokens, t => Assert.False(t.CanBeCanceled));
    }

    [Fact]
    public async Task ExecuteAsync_CancelledDuringSync_QueuesButRemovesNobody()
    {
        var holdListing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        GatedGateway? gate = null;
        await using var host = await RemovalHost.StartAsync(
            new SimulatedGroupOptions { MemberCount = 8, InactiveShare = 0.5 },
            inner => gate = new GatedGateway(inner) { HoldListing = holdListing });
        var inactive = host.InactiveIds();

        var job = await host.Manager.StartAsync(RemovalWorkflowJob.JobType, Input(batchSize: 2, Delay), cancellationToken: host.Timeout);
        await gate!.Entered.Task.WaitAsync(host.Timeout);
        await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout);
        await host.Time.WaitForTimerAsync(RemovalHost.GracePeriod, host.Timeout);
        holdListing.SetResult();
        var done = await host.WaitForEndAsync(job.Id);

        Assert.Equal(JobStatus.Cancelled, done.Status);
        Assert.Empty(host.Group.RemovedMemberIds);
        Assert.Empty(gate.RemovalTokens);
        Assert.Equal(inactive, host.Queue.List(SimulatedGroupOptions.DefaultGroupWaId));
        Assert.Null(done.PartialResult);
        Assert.Equal(1.0, done.Progress.Steps.Single(s => s.Name == "sync").Fraction);
        Assert.Equal(0.0, done.Progress.Steps.Single(s => s.Name == "remove").Fraction);
    }
}
