namespace Cancellable.Jobs.Storage;

/// <summary>
/// Where job records live. <see cref="InMemoryJobStore"/> is the default; a store is any class that passes the store
/// conformance tests.
/// </summary>
/// <remarks>
/// <para>
/// A store holds <see cref="JobSnapshot"/> values and replaces them atomically: every transition of the job lifecycle
/// is one compare-and-swap on <see cref="JobSnapshot.Version"/>, decided by the job manager and applied by the store.
/// The store assigns <see cref="JobSnapshot.Sequence"/> on creation and <see cref="JobSnapshot.Version"/> on every write.
/// </para>
/// <para>
/// After each write the store publishes a <see cref="JobChange"/> to its subscribers, including writes made by other
/// processes that share it; subscribers must not block.
/// </para>
/// </remarks>
public interface IJobStore
{
    /// <summary>
    /// Adds a new pending job, unless <paramref name="maxPendingJobs"/> jobs are already pending.
    /// </summary>
    /// <param name="job">The job, with status <see cref="JobStatus.Pending"/> and an id no other job has.</param>
    /// <param name="maxPendingJobs">The bound on pending jobs, checked in the same atomic step.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored job with its sequence and version, or <see langword="null"/> when the bound was reached.</returns>
    /// <exception cref="InvalidOperationException">The store already holds a job with the same id.</exception>
    ValueTask<JobSnapshot?> CreateAsync(JobSnapshot job, int maxPendingJobs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets one job.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The job, or <see langword="null"/> when the store holds no job with that id.</returns>
    ValueTask<JobSnapshot?> GetAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a job atomically when the stored version is still <paramref name="current"/>'s.
    /// </summary>
    /// <param name="current">The job as the caller read it.</param>
    /// <param name="replacement">The job's new state, with the same id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>
    /// The stored job (its version one more than <paramref name="current"/>'s), or <see langword="null"/> when the job
    /// changed or was removed since it was read.
    /// </returns>
    ValueTask<JobSnapshot?> ReplaceAsync(JobSnapshot current, JobSnapshot replacement, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a job atomically when the stored version is still <paramref name="current"/>'s.
    /// </summary>
    /// <param name="current">The job as the caller read it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when the job was removed; <see langword="false"/> when it changed or was already gone.</returns>
    ValueTask<bool> RemoveAsync(JobSnapshot current, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the oldest pending job of one of <paramref name="jobTypes"/> and replaces it with <paramref name="start"/>'s
    /// result, atomically, so that no two callers claim the same job.
    /// </summary>
    /// <param name="jobTypes">The type names the caller can run.</param>
    /// <param name="start">Turns the pending job into the running one.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns>The claimed job as stored, or <see langword="null"/> when none is pending.</returns>
    ValueTask<JobSnapshot?> ClaimNextAsync(IReadOnlyCollection<string> jobTypes, Func<JobSnapshot, JobSnapshot> start, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists one page of jobs that match <paramref name="query"/>, newest first; the cost follows the page, not the
    /// number of jobs held.
    /// </summary>
    /// <param name="query">The filter and page; its page size is already validated.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException">The continuation token is not one this store issued.</exception>
    ValueTask<JobPage> QueryAsync(JobQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts jobs per status, overall and per group; the cost follows the number of groups, not the number of jobs.
    /// </summary>
    /// <param name="groupBy">How to group the counts.</param>
    /// <param name="keyPrefix">When set, only groups whose key starts with it.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The counts.</returns>
    ValueTask<JobStatistics> GetStatisticsAsync(JobGrouping groupBy, string? keyPrefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes finished jobs whose <see cref="JobSnapshot.ExpiresAt"/> is at or before <paramref name="now"/>, soonest
    /// first; the cost follows the number removed.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="maxCount">The most jobs to remove in this call.</param>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>The removed jobs.</returns>
    ValueTask<IReadOnlyList<JobSnapshot>> RemoveExpiredAsync(DateTimeOffset now, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the oldest finished jobs (by <see cref="JobSnapshot.CompletedAt"/>) beyond the newest <paramref name="keep"/>.
    /// </summary>
    /// <param name="keep">How many finished jobs to keep.</param>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>The removed jobs.</returns>
    ValueTask<IReadOnlyList<JobSnapshot>> TrimFinishedAsync(int keep, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets the soonest <see cref="JobSnapshot.ExpiresAt"/> of the jobs held.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The soonest expiry, or <see langword="null"/> when no job expires.</returns>
    ValueTask<DateTimeOffset?> GetNextExpiryAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes to the changes the store holds, in the order it made them for each job.
    /// </summary>
    /// <param name="onChange">Called after each change; must return quickly and must not throw.</param>
    /// <returns>Disposing it ends the subscription.</returns>
    IDisposable Subscribe(Action<JobChange> onChange);
}
