namespace Cancellable.Jobs;

/// <summary>
/// A count of jobs per <see cref="JobStatus"/>.
/// </summary>
public sealed record JobStatusCounts
{
    /// <summary>Gets the count of pending jobs.</summary>
    public int Pending { get; init; }

    /// <summary>Gets the count of running jobs.</summary>
    public int Running { get; init; }

    /// <summary>Gets the count of cancelling jobs.</summary>
    public int Cancelling { get; init; }

    /// <summary>Gets the count of completed jobs.</summary>
    public int Completed { get; init; }

    /// <summary>Gets the count of failed jobs.</summary>
    public int Failed { get; init; }

    /// <summary>Gets the count of cancelled jobs.</summary>
    public int Cancelled { get; init; }

    /// <summary>Gets the count of all jobs.</summary>
    public int Total => Pending + Running + Cancelling + Completed + Failed + Cancelled;

    /// <summary>
    /// Creates counts from an array indexed by <see cref="JobStatus"/>.
    /// </summary>
    /// <param name="counts">Six counts, in the order of <see cref="JobStatus"/>.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="ArgumentException"><paramref name="counts"/> does not hold six counts.</exception>
    public static JobStatusCounts FromArray(ReadOnlySpan<int> counts)
    {
        if (counts.Length != 6)
        {
            throw new ArgumentException("Expected one count per JobStatus (6).", nameof(counts));
        }

        return new()
        {
            Pending = counts[0],
            Running = counts[1],
            Cancelling = counts[2],
            Completed = counts[3],
            Failed = counts[4],
            Cancelled = counts[5],
        };
    }

    /// <summary>
    /// Gets the count for one status.
    /// </summary>
    /// <param name="status">The status.</param>
    /// <returns>The count of jobs with that status.</returns>
    public int this[JobStatus status] => status switch
    {
        JobStatus.Pending => Pending,
        JobStatus.Running => Running,
        JobStatus.Cancelling => Cancelling,
        JobStatus.Completed => Completed,
        JobStatus.Failed => Failed,
        JobStatus.Cancelled => Cancelled,
        _ => 0,
    };
}
