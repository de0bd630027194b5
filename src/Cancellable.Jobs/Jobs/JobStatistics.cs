namespace Cancellable.Jobs;

/// <summary>
/// Counts of jobs per status, overall and per group.
/// </summary>
/// <param name="Overall">The counts over all jobs in the store.</param>
/// <param name="Groups">The counts per group key, ordered by key; empty when no grouping was asked for.</param>
public sealed record JobStatistics(JobStatusCounts Overall, IReadOnlyList<JobGroupStatistics> Groups);
