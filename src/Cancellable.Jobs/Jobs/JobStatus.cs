namespace Cancellable.Jobs;

/// <summary>
/// The state of a job in its lifecycle.
/// </summary>
/// <remarks>
/// <see cref="Pending"/>, <see cref="Running"/> and <see cref="Cancelling"/> are active states;
/// <see cref="Completed"/>, <see cref="Failed"/> and <see cref="Cancelled"/> are terminal. A terminal job
/// leaves its state only through a retry, which starts the next attempt as <see cref="Pending"/>.
/// </remarks>
public enum JobStatus
{
    /// <summary>The job waits for a runner slot.</summary>
    Pending,

    /// <summary>The job's code is running.</summary>
    Running,

    /// <summary>Cancellation was requested and the job's token fired; the job's code has not stopped yet.</summary>
    Cancelling,

    /// <summary>The job's code returned.</summary>
    Completed,

    /// <summary>The job's code threw an exception other than the cancellation of its own token.</summary>
    Failed,

    /// <summary>The job was cancelled before it started, or its code stopped after its token fired.</summary>
    Cancelled,
}
