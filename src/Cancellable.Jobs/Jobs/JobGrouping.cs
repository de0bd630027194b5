namespace Cancellable.Jobs;

/// <summary>
/// How <see cref="IJobManager.GetStatisticsAsync"/> groups its counts.
/// </summary>
public enum JobGrouping
{
    /// <summary>Overall counts only.</summary>
    None,

    /// <summary>Counts per type.</summary>
    Type,

    /// <summary>Counts per owner; jobs without an owner are not grouped.</summary>
    Owner,

    /// <summary>Counts per tag; a job with several tags counts in each.</summary>
    Tag,
}
