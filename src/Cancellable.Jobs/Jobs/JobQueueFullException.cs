namespace Cancellable.Jobs;

/// <summary>
/// The exception thrown when a start would exceed <see cref="CancellableJobsOptions.MaxPendingJobs"/>; no job was created.
/// </summary>
public sealed class JobQueueFullException : JobException
{
    /// <summary>Initializes a new instance of the <see cref="JobQueueFullException"/> class.</summary>
    /// <param name="jobType">The job type name that was asked for.</param>
    /// <param name="maxPendingJobs">The bound on waiting jobs that was reached.</param>
    public JobQueueFullException(string jobType, int maxPendingJobs)
        : base($"The job '{jobType}' was not started: {maxPendingJobs} jobs are already waiting (CancellableJobsOptions.MaxPendingJobs).")
    {
        JobType = jobType;
        MaxPendingJobs = maxPendingJobs;
    }

    /// <summary>Gets the bound on waiting jobs that was reached.</summary>
    public int MaxPendingJobs { get; }
}
