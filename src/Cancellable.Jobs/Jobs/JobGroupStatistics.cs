namespace Cancellable.Jobs;

/// <summary>
/// Counts of jobs per status within one group.
/// </summary>
/// <param name="Key">The group's key: a type name, owner or tag.</param>
/// <param name="Counts">The counts within the group.</param>
public sealed record JobGroupStatistics(string Key, JobStatusCounts Counts);
