namespace Cancellable.Jobs;

/// <summary>
/// A change to one job that the store holds.
/// </summary>
/// <param name="Kind">What changed.</param>
/// <param name="Job">The job after the change; for <see cref="JobChangeKind.Removed"/>, the job as it was last held.</param>
public sealed record JobChange(JobChangeKind Kind, JobSnapshot Job)
{
    // The status plus one, zero when unknown: a byte keeps a change as small as it was without it, and the in-memory store
    // makes one per write.
    private readonly byte _previousStatus;

    /// <summary>
    /// Gets the job's status before this change: for <see cref="JobChangeKind.Updated"/>, the status the change replaced;
    /// <see langword="null"/> for <see cref="JobChangeKind.Created"/> and <see cref="JobChangeKind.Removed"/>, and for an
    /// update whose store cannot tell.
    /// </summary>
    /// <remarks>
    /// With the <see cref="JobSnapshot.Status"/> of <see cref="Job"/>, it tells whether the change took the job into or out
    /// of a status; <see cref="JobFilter.Matches(JobChange)"/> uses it so that a watcher of Running jobs also gets the change
    /// that takes each job out of Running.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="JobStatus"/>.</exception>
    public JobStatus? PreviousStatus
    {
        get => _previousStatus == 0 ? null : (JobStatus)(_previousStatus - 1);
        init
        {
            if (value is { } status && (uint)status > (uint)JobStatus.Cancelled)
            {
                throw new ArgumentOutOfRangeException(nameof(value), status, "The previous status is not a defined job status.");
            }

            _previousStatus = value is { } defined ? (byte)((int)defined + 1) : (byte)0;
        }
    }
}
