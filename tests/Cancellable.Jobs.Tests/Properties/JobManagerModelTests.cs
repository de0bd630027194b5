using FsCheck.Xunit;

namespace Cancellable.Jobs.Tests.Properties;

/// <summary>
/// Model-based properties of <see cref="JobManager"/> with <see cref="Storage.InMemoryJobStore"/> and the runner: random
/// command sequences run against the real system and a small model, with every invariant checked after every step.
/// </summary>
public sealed class JobManagerModelTests
{
    [Property(MaxTest = 100, EndSize = JobScenarioArbitrary.MaxLength, Arbitrary = new[] { typeof(JobScenarioArbitrary) })]
    public async Task AnyCommandSequence_MatchesTheModelAfterEveryStep(JobScenario scenario)
    {
        await ModelRun.RunAsync(scenario);
    }

    [Fact]
    public async Task Scenario_TimeoutOfAJobWaitingForItsToken_PassesThroughCancelling()
    {
        await ModelRun.RunAsync(new JobScenario(
        [
            new JobCommand(JobCommandKind.Start, D: 1),
            new JobCommand(JobCommandKind.HonourCancellation),
            new JobCommand(JobCommandKind.Advance, A: 3),
        ]));
    }

    [Fact]
    public async Task Scenario_RetryWhilePendingJobsAreAtTheBound_ThrowsQueueFull()
    {
        await ModelRun.RunAsync(new JobScenario(
        [
            new JobCommand(JobCommandKind.Start),
            new JobCommand(JobCommandKind.Start),
            new JobCommand(JobCommandKind.Fail),
            new JobCommand(JobCommandKind.Start),
            new JobCommand(JobCommandKind.Start),
            new JobCommand(JobCommandKind.Start),
            new JobCommand(JobCommandKind.Start),
            new JobCommand(JobCommandKind.Start),
            new JobCommand(JobCommandKind.Retry),
        ]));
    }
}
