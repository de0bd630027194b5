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
        return Matches(job.Status, job.Type, job.Owner, job.Tags);
    }

    /// <summary>Determines whether a job with these fields matches this filter: for the forms a store keeps jobs in.</summary>
    internal bool Matches(JobStatus status, string type, string? owner, IReadOnlyList<string> tags) =>
        (Status is null || status == Status) && MatchesAllButStatus(type, owner, tags);

    /// <summary>
    /// Determines whether a watcher of this filter gets <paramref name="change"/>: when the job matches this filter after
    /// the change, or matched it before.
    /// </summary>
    /// <param name="change">The change to test.</param>
    /// <returns>
    /// <see langword="true"/> when every set criterion matches the changed job, or every one but <see cref="Status"/> does
    /// and the change is an update from <see cref="Status"/>.
    /// </returns>
    /// <remarks>
    /// Of the criteria, only <see cref="Status"/> changes during a job's life, so a watcher of
    /// <see cref="JobStatus.Running"/> jobs also gets the change that takes each job out of Running (to Cancelling,
    /// Completed, Failed or Cancelled), and learns that the job left. An update whose
    /// <see cref="JobChange.PreviousStatus"/> is unknown may be such a change, so it is delivered when every criterion but
    /// <see cref="Status"/> matches.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="change"/> is <see langword="null"/>.</exception>
    public bool Matches(JobChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var job = change.Job;
        return MatchesAllButStatus(job.Type, job.Owner, job.Tags)
            && (Status is not { } status
                || job.Status == status
                || (change.Kind == JobChangeKind.Updated && (change.PreviousStatus ?? status) == status));
    }

    private bool MatchesAllButStatus(string type, string? owner, IReadOnlyList<string> tags) =>
        (Type is null || string.Equals(type, Type, StringComparison.Ordinal))
        && (Owner is null || string.Equals(owner, Owner, StringComparison.Ordinal))
        && (Tag is null || tags.Contains(Tag, StringComparer.Ordinal));
}
