namespace Cancellable.Jobs;

/// <summary>
/// One page of jobs, newest first.
/// </summary>
/// <param name="Items">The jobs on this page.</param>
/// <param name="ContinuationToken">The token for the next page, or <see langword="null"/> when this is the last.</param>
public sealed record JobPage(IReadOnlyList<JobSnapshot> Items, string? ContinuationToken);
