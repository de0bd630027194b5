namespace Cancellable.Jobs;

/// <summary>
/// A change to one job that the store holds.
/// </summary>
/// <param name="Kind">What changed.</param>
/// <param name="Job">The job after the change; for <see cref="JobChangeKind.Removed"/>, the job as it was last held.</param>
public sealed record JobChange(JobChangeKind Kind, JobSnapshot Job);
