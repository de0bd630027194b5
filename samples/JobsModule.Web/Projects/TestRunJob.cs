using Cancellable.Jobs;

namespace JobsModule.Web.Projects;

/// <summary>
/// <c>test_run</c> (seed 002): runs a project's tests. A failing test is a warning and is counted in the result; the
/// job itself completes, because the run worked.
/// </summary>
/// <param name="timeProvider">The clock of the simulated work.</param>
public sealed class TestRunJob(TimeProvider timeProvider) : IJob<ProjectJobInput, ProjectJobResult>
{
    /// <summary>The job type name.</summary>
    public const string JobType = "test_run";

    /// <inheritdoc />
    public async Task<ProjectJobResult> ExecuteAsync(ProjectJobInput input, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var result = await ProjectRecords.RunAsync(input, context, timeProvider, n =>
        {
            if (n == input.BadRecord)
            {
                context.Warning($"Test {n} failed: expected 200, got 500.");
                return false;
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        context.Info($"{result.Done - result.Failed} of {result.Total} tests passed.");
        return result;
    }
}
