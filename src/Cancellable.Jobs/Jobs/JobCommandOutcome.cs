namespace Cancellable.Jobs;

/// <summary>
/// What became of a cancel, retry or delete asked of <see cref="IJobManager"/>.
/// </summary>
public enum JobCommandOutcome
{
    /// <summary>
    /// The command took full effect at once: a pending job was cancelled, a job was retried, a job was deleted.
    /// </summary>
    Applied,

    /// <summary>
    /// The command was accepted and takes effect once the job's code stops: a running job is cancelling, or is
    /// deleted once it stopped.
    /// </summary>
    Accepted,

    /// <summary>No job has that id.</summary>
    NotFound,

    /// <summary>
    /// The job's state does not allow the command: cancel of a finished job, retry of a job that did not fail or
    /// was not cancelled. <see cref="JobCommandResult.Job"/> shows the state.
    /// </summary>
    Conflict,
}
