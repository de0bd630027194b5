using Cancellable.Jobs;

namespace JobsModule.Web.Projects;

/// <summary>
/// <c>import</c> (seed 002): reads a project's records in. A broken record fails the whole import with the record's
/// number and the reason as the error; the records read before it are the partial result. Retry re-runs it.
/// </summary>
/// <param name="timeProvider">The clock of the simulated work.</param>
public sealed class ImportJob(TimeProvider timeProvider) : IJob<ProjectJobInput, ProjectJobResult>
{
    /// <summary>The job type name.</summary>
    public const string JobType = "import";

    /// <inheritdoc />
    public Task<ProjectJobResult> ExecuteAsync(ProjectJobInput input, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        context.Info($"Importing {input.Records} records into project {input.ProjectId}.");
        return ProjectRecords.RunAsync(input, context, timeProvider, n => n == input.BadRecord
            ? throw new InvalidDataException($"Record {n} of {input.Records} could not be imported: the 'email' column is empty.")
            : true, cancellationToken);
    }
}
