namespace Cancellable.Jobs;

/// <summary>
/// The result of a cancel, retry or delete asked of <see cref="IJobManager"/>.
/// </summary>
/// <param name="Outcome">What became of the command.</param>
/// <param name="Job">The job after the command, or <see langword="null"/> when it was not found or was removed.</param>
public sealed record JobCommandResult(JobCommandOutcome Outcome, JobSnapshot? Job)
{
    internal static JobCommandResult NotFound { get; } = new(JobCommandOutcome.NotFound, null);
}
