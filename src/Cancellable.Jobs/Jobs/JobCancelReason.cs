namespace Cancellable.Jobs;

/// <summary>
/// Why a job was cancelled.
/// </summary>
public enum JobCancelReason
{
    /// <summary>Someone asked for it through <see cref="IJobManager"/> (or the HTTP API).</summary>
    Requested,

    /// <summary>The job ran longer than its timeout.</summary>
    Timeout,

    /// <summary>The host was stopping.</summary>
    Shutdown,

    /// <summary>The job's runner stopped renewing its lease (its process died); used by distributed stores.</summary>
    Stale,
}
