using Cancellable.Jobs;

namespace JobsModule.Web.Projects;

/// <summary>
/// The loop the four project jobs share: one record at a time with a simulated pause after each, progress "record n
/// of N" and the partial result after every record. Cancellation ends the pause at once; a record is never half done.
/// </summary>
internal static class ProjectRecords
{
    /// <summary>Gets the tag that makes a job belong to a project: <c>project:{projectId}</c>.</summary>
    public static string ProjectTag(string projectId) => $"project:{projectId}";

    /// <summary>Works through the records; <paramref name="handle"/> returns whether the record passed.</summary>
    public static async Task<ProjectJobResult> RunAsync(
        ProjectJobInput input,
        JobContext context,
        TimeProvider timeProvider,
        Func<int, bool> handle,
        CancellationToken cancellationToken)
    {
        var tag = ProjectTag(input.ProjectId);
        if (!context.Tags.Contains(tag, StringComparer.Ordinal))
        {
            context.Warning($"This job is not tagged {tag}: the project's job list and statistics will not count it.");
        }

        var result = new ProjectJobResult(input.ProjectId, 0, input.Records);
        context.ReportProgress(0, input.Records, $"record 1 of {input.Records}");
        for (var n = 1; n <= input.Records; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var passed = handle(n);
            result = result with { Done = n, Failed = result.Failed + (passed ? 0 : 1) };
            context.SetPartialResult(result);
            context.ReportProgress(n, input.Records, $"record {n} of {input.Records}");
            if (n < input.Records)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(input.DelayMs), timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        return result;
    }
}
