using Cancellable.Jobs;

namespace JobsModule.Web.Projects;

/// <summary>
/// <c>export</c> (seed 002): writes a project's records to a file (simulated: nothing is written). The result names
/// the file; a cancelled export reports how far it got.
/// </summary>
/// <param name="timeProvider">The clock of the simulated work.</param>
public sealed class ExportJob(TimeProvider timeProvider) : IJob<ProjectJobInput, ProjectJobResult>
{
    /// <summary>The job type name.</summary>
    public const string JobType = "export";

    /// <inheritdoc />
    public async Task<ProjectJobResult> ExecuteAsync(ProjectJobInput input, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        context.Info($"Exporting {input.Records} records of project {input.ProjectId}.");
        var result = await ProjectRecords.RunAsync(input, context, timeProvider, _ => true, cancellationToken).ConfigureAwait(false);
        return result with { File = $"{input.ProjectId}-export.csv" };
    }
}
