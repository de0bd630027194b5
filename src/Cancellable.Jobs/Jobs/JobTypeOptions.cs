namespace Cancellable.Jobs;

/// <summary>
/// Options of one registered job type, kept as named options under the type's name.
/// </summary>
/// <remarks>
/// Set them with the <c>configure</c> argument of <c>AddJob</c>, or with
/// <c>services.Configure&lt;JobTypeOptions&gt;("type_name", …)</c>.
/// </remarks>
public sealed class JobTypeOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether a running job of this type whose runner died is re-queued as a new attempt
    /// instead of ending. The default value is <see langword="false"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Only distributed stores have jobs whose runner died: with the Redis store, a job whose lease lapsed (the process
    /// running it was killed, or cut off from Redis) is marked stale. By default its attempt ends
    /// <see cref="JobStatus.Failed"/> with <see cref="JobCancelReason.Stale"/>. With this option the stale attempt is
    /// kept in <see cref="JobSnapshot.PreviousAttempts"/> (<see cref="JobStatus.Failed"/>, <see cref="JobCancelReason.Stale"/>)
    /// and the job becomes <see cref="JobStatus.Pending"/> again as attempt + 1, as a retry does, so any instance runs it
    /// once more. The in-memory store never has stale jobs, so there the option changes nothing.
    /// </para>
    /// <para>
    /// A job whose cancellation or deletion was asked for is never re-queued, and a job already re-queued
    /// <see cref="MaxStaleRequeues"/> times ends <see cref="JobStatus.Failed"/> at its next lapse, so a job that kills its
    /// process every time does not take down instance after instance. The instance that finds the lapsed lease applies
    /// its own registration of the type (an instance that does not register the type ends the job
    /// <see cref="JobStatus.Failed"/>), so register job types the same way on every instance. Opt in only for jobs that
    /// are safe to run again from the start.
    /// </para>
    /// </remarks>
    public bool RequeueWhenStale { get; set; }

    /// <summary>
    /// Gets or sets the most times a job of this type is re-queued after its runner died, when
    /// <see cref="RequeueWhenStale"/> is set. The default value is 3.
    /// </summary>
    /// <value>
    /// A number from 0 to <see cref="int.MaxValue"/>. With 0 no job is re-queued: the first lapsed lease ends the job
    /// <see cref="JobStatus.Failed"/>, as with <see cref="RequeueWhenStale"/> unset.
    /// </value>
    /// <remarks>
    /// <para>
    /// The re-queues are counted from the job's <see cref="JobSnapshot.PreviousAttempts"/>: each earlier attempt that
    /// ended with <see cref="JobCancelReason.Stale"/> counts. Once a job has that many, its next lapsed lease ends it
    /// <see cref="JobStatus.Failed"/> with <see cref="JobCancelReason.Stale"/>, as without <see cref="RequeueWhenStale"/>,
    /// with an error message saying how many times it was re-queued after its runner died and that it is not re-queued
    /// again, and the Redis store logs a warning. Such a job is likely what kills its runner.
    /// </para>
    /// <para>
    /// The default of 3 lets a job ride out a few instances lost for reasons of their own (a deployment, a node drained,
    /// an out-of-memory kill caused by another job) while a job that kills every process it runs in takes down at most
    /// three instances more than it would without re-queueing.
    /// </para>
    /// <para>
    /// A retry (<see cref="IJobManager.RetryAsync"/>) does not reset the count: an attempt that ended stale stays in
    /// <see cref="JobSnapshot.PreviousAttempts"/> and keeps counting, so a job that reached the bound and is retried by
    /// hand runs once more and ends <see cref="JobStatus.Failed"/> if its runner dies again. A retried attempt that ended
    /// otherwise (an exception, a cancellation) does not count. To give the work a fresh count, start a new job.
    /// </para>
    /// <para>
    /// The value is validated when the host starts: a negative one stops the host with a message naming the option and
    /// the job type.
    /// </para>
    /// </remarks>
    public int MaxStaleRequeues { get; set; } = 3;
}
