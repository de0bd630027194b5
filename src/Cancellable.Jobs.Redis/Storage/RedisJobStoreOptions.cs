namespace Cancellable.Jobs.Redis.Storage;

/// <summary>
/// Options for <see cref="RedisJobStore"/>, validated when the host starts.
/// </summary>
public sealed class RedisJobStoreOptions
{
    /// <summary>
    /// Gets or sets the prefix of every key and channel the store uses, so that several apps can share one server.
    /// The default value is <c>{cj}:</c>.
    /// </summary>
    /// <remarks>
    /// The braces make the prefix a hash tag: on a Redis Cluster all keys of one prefix live in one slot, which the
    /// store's scripts need. Give each app its own prefix, such as <c>{orders-jobs}:</c>.
    /// </remarks>
    public string KeyPrefix { get; set; } = "{cj}:";

    /// <summary>
    /// Gets or sets how long after its <see cref="JobSnapshot.ExpiresAt"/> Redis itself deletes a finished record that no
    /// instance swept. The default value is 1 hour.
    /// </summary>
    /// <remarks>
    /// Normally the sweeper of any instance removes the record, and its index entries, at its expiry; this time-to-live
    /// is the backstop that keeps memory bounded when no instance runs.
    /// </remarks>
    public TimeSpan ExpiredRecordGrace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets how long a job taken from the queue may wait for its claimer to mark it running before another
    /// instance may claim it (the claimer died in between). The default value is 30 seconds.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long a running job's lease lasts without renewal. When it lapses (the instance running the job
    /// was killed or cut off from Redis), another instance marks the job <see cref="JobStatus.Failed"/> with
    /// <see cref="JobCancelReason.Stale"/>. The default value is 30 seconds.
    /// </summary>
    /// <remarks>Leases compare the instances' clocks: keep them in sync (NTP) to well under this time.</remarks>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how often each instance renews the leases of its running jobs and looks for lapsed leases; at most
    /// half of <see cref="LeaseTime"/>. The default value is 10 seconds.
    /// </summary>
    public TimeSpan LeaseCheckInterval { get; set; } = TimeSpan.FromSeconds(10);
}
