namespace Cancellable.Jobs;

/// <summary>
/// Selects jobs by status, type, owner and tag; an unset criterion matches every job.
/// </summary>
public record JobFilter
{
    /// <summary>Gets the status to match.</summary>
    public JobStatus? Status { get; init; }

    /// <summary>Gets the type name to match.</summary>
    public string? Type { get; init; }

    /// <summary>Gets the owner to match.</summary>
    public string? Owner { get; init; }

    /// <summary>Gets a tag the job must have.</summary>
    public string? Tag { get; init; }

    /// <summary>
    /// Determines whether <paramref name="job"/> matches this filter.
    /// </summary>
    /// <param name="job">The job to test.</param>
    /// <returns><see langword="true"/> when every set criterion matches.</returns>
    public bool Matches(JobSnapshot job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return (Status is null || job.Status == Status)
            && (Type is null || string.Equals(job.Type, Type, StringComparison.Ordinal))
            && (Owner is null || string.Equals(job.Owner, Owner, StringComparison.Ordinal))
            && (Tag is null || job.Tags.Contains(Tag, StringComparer.Ordinal));
    }
}
