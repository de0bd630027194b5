using System.Text.Json;
using Cancellable.Jobs;
using RemovalWorkflow.Tests.TestSupport;

namespace RemovalWorkflow.Tests;

public sealed class RemovalInputValidatorTests
{
    private static readonly RemovalWorkflowInput Valid = new()
    {
        GroupWaId = SimulatedGroupOptions.DefaultGroupWaId,
        BatchSize = 5,
        DelayMs = 10_000,
        DryRun = true,
        InactivityWindowMs = RemovalWorkflowInput.DefaultInactivityWindowMs,
    };

    public static TheoryData<string, RemovalWorkflowInput> InvalidInputs => new()
    {
        { nameof(RemovalQueueInput.GroupWaId), Valid with { GroupWaId = "" } },
        { nameof(RemovalQueueInput.GroupWaId), Valid with { GroupWaId = "not-a-group" } },
        { nameof(RemovalQueueInput.BatchSize), Valid with { BatchSize = 0 } },
        { nameof(RemovalQueueInput.DelayMs), Valid with { DelayMs = -1 } },
        { nameof(RemovalQueueInput.DelayMs), Valid with { DelayMs = 9_999 } }, // below the gateway's 10 s
        { nameof(RemovalWorkflowInput.InactivityWindowMs), Valid with { InactivityWindowMs = 0 } },
    };

    private static Task<RemovalHost> StartRateLimitedAsync() =>
        RemovalHost.StartAsync(new SimulatedGroupOptions { MinimumBatchDelay = TimeSpan.FromSeconds(10) });

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public async Task Validate_InvalidWorkflowInput_CreatesNoJob(string member, RemovalWorkflowInput input)
    {
        await using var host = await StartRateLimitedAsync();

        var ex = await Assert.ThrowsAsync<JobValidationException>(() => host.Manager.StartAsync(RemovalWorkflowJob.JobType, input, cancellationToken: host.Timeout).AsTask());

        Assert.Equal([member], ex.Errors.Keys);
        Assert.Equal(0, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Total);
    }

    [Fact]
    public async Task Validate_QueueInputBelowGatewayMinimumAsJson_CreatesNoJob()
    {
        await using var host = await StartRateLimitedAsync();
        using var json = JsonDocument.Parse("""{ "groupWaId": "120363403645737238@g.us", "batchSize": 5, "delayMs": 500, "dryRun": false }""");

        var ex = await Assert.ThrowsAsync<JobValidationException>(() => host.Manager.StartAsync(RemovalQueueJob.JobType, json.RootElement, cancellationToken: host.Timeout).AsTask());

        Assert.Contains("at least 10000 ms", Assert.Single(ex.Errors[nameof(RemovalQueueInput.DelayMs)]), StringComparison.Ordinal);
        Assert.Equal(0, (await host.Manager.GetStatisticsAsync(cancellationToken: host.Timeout)).Overall.Total);
    }

    [Fact]
    public async Task Validate_DelayAtGatewayMinimum_CreatesTheJob()
    {
        await using var host = await StartRateLimitedAsync();

        var job = await host.Manager.StartAsync(RemovalWorkflowJob.JobType, Valid, cancellationToken: host.Timeout);

        Assert.Equal(RemovalWorkflowJob.JobType, job.Type);
        Assert.Equal(10_000, job.Input!.Value.GetProperty("delayMs").GetInt32());
    }
}
