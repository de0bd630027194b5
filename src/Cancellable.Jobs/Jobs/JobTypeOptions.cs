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
    /// A job whose cancellation or deletion was asked for is never re-queued. The instance that finds the lapsed lease
    /// applies its own registration of the type (an instance that does not register the type ends the job
    /// <see cref="JobStatus.Failed"/>), so register job types the same way on every instance. Opt in only for jobs that
    /// are safe to run again from the start; a job that kills its process every time is re-queued every time.
    /// </para>
    /// </remarks>
    public bool RequeueWhenStale { get; set; }
}
