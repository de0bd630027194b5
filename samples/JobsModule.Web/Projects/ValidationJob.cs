using Cancellable.Jobs;

namespace JobsModule.Web.Projects;

/// <summary>
/// <c>validation</c> (seed 002): checks a project's records. An optional field left empty is a warning (every 7th
/// record); a broken record is an error message and fails the job with the details.
/// </summary>
/// <param name="timeProvider">The clock of the simulated work.</param>
public sealed class ValidationJob(TimeProvider timeProvider) : IJob<ProjectJobInput, ProjectJobResult>
{
    /// <summary>The job type name.</summary>
    public const string JobType = "validation";

    /// <inheritdoc />
    public Task<ProjectJobResult> ExecuteAsync(ProjectJobInput input, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        return ProjectRecords.RunAsync(input, context, timeProvider, n =>
        {
            if (n == input.BadRecord)
            {
                var reason = $"Record {n}: 'email' is required but empty.";
                context.Error(reason);
                throw new InvalidDataException($"Validation of project {input.ProjectId} failed. {reason}");
            }

            if (n % 7 == 0)
            {
                context.Warning($"Record {n}: the optional field 'phone' is empty.");
            }

            return true;
        }, cancellationToken);
    }
}
