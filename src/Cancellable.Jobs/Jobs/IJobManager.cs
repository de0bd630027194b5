using System.Text.Json;

namespace Cancellable.Jobs;

/// <summary>
/// What a host app talks to: start, read, list, count, cancel, retry, delete, wait for and watch jobs.
/// </summary>
/// <remarks>
/// Absence is not an exception: reading, cancelling, retrying or deleting an unknown id returns a result saying so.
/// </remarks>
public interface IJobManager
{
    /// <summary>
    /// Validates <paramref name="input"/> and creates a pending job of type <paramref name="jobType"/>.
    /// </summary>
    /// <typeparam name="TInput">The input's type; the job type's input type must be assignable from it.</typeparam>
    /// <param name="jobType">The registered type name, such as <c>removal_workflow</c>.</param>
    /// <param name="input">The job's input.</param>
    /// <param name="options">The owner, tags and timeout of the job, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The created job.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="jobType"/> is <see langword="null"/>.</exception>
    /// <exception cref="JobValidationException">The type is unknown or the input is invalid; no job was created.</exception>
    /// <exception cref="JobQueueFullException">Too many jobs are waiting; no job was created.</exception>
    ValueTask<JobSnapshot> StartAsync<TInput>(string jobType, TInput input, JobStartOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Validates an input given as JSON (as received over HTTP) and creates a pending job of type <paramref name="jobType"/>.
    /// </summary>
    /// <param name="jobType">The registered type name, such as <c>removal_workflow</c>.</param>
    /// <param name="input">The job's input as JSON.</param>
    /// <param name="options">The owner, tags and timeout of the job, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The created job.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="jobType"/> is <see langword="null"/>.</exception>
    /// <exception cref="JobValidationException">The type is unknown, or the JSON does not fit or fails validation; no job was created.</exception>
    /// <exception cref="JobQueueFullException">Too many jobs are waiting; no job was created.</exception>
    ValueTask<JobSnapshot> StartAsync(string jobType, JsonElement input, JobStartOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets one job.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The job, or <see langword="null"/> when no job has that id.</returns>
    ValueTask<JobSnapshot?> GetAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists one page of jobs that match <paramref name="query"/>, newest first.
    /// </summary>
    /// <param name="query">The filter and page.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The page size is not between 1 and <see cref="JobQuery.MaxPageSize"/>.</exception>
    /// <exception cref="ArgumentException">The continuation token is not one this store issued.</exception>
    ValueTask<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts jobs per status, overall and optionally per type, owner or tag.
    /// </summary>
    /// <param name="groupBy">How to group the counts.</param>
    /// <param name="keyPrefix">When set, only groups whose key starts with it, such as <c>project:</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The counts.</returns>
    ValueTask<JobStatistics> GetStatisticsAsync(JobGrouping groupBy = JobGrouping.None, string? keyPrefix = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a job: a pending job becomes <see cref="JobStatus.Cancelled"/> at once; a running job becomes
    /// <see cref="JobStatus.Cancelling"/>, its token fires, and it becomes <see cref="JobStatus.Cancelled"/> once its
    /// code stopped.
    /// </summary>
    /// <remarks>
    /// When the job's code is running in this process, its token has fired by the time this returns (its token callbacks
    /// run on the calling thread, as with <see cref="CancellationTokenSource.Cancel()"/>); a job running in another
    /// process sharing the store is told through the store.
    /// </remarks>
    /// <param name="jobId">The job's id.</param>
    /// <param name="requestedBy">Who asks, kept in the job's record.</param>
    /// <param name="cancellationToken">Cancels the request (not the job).</param>
    /// <returns>
    /// <see cref="JobCommandOutcome.Applied"/> for a pending job, <see cref="JobCommandOutcome.Accepted"/> for a
    /// running or cancelling one, <see cref="JobCommandOutcome.Conflict"/> when it already finished, or
    /// <see cref="JobCommandOutcome.NotFound"/>.
    /// </returns>
    ValueTask<JobCommandResult> CancelAsync(string jobId, string? requestedBy = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels every active job that matches <paramref name="filter"/>.
    /// </summary>
    /// <param name="filter">The jobs to cancel, or <see langword="null"/> for all.</param>
    /// <param name="requestedBy">Who asks, kept in each job's record.</param>
    /// <param name="cancellationToken">Cancels the request; jobs already cancelled stay cancelled.</param>
    /// <returns>How many jobs were cancelled or are cancelling because of this call.</returns>
    ValueTask<int> CancelAllAsync(JobFilter? filter = null, string? requestedBy = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts the next attempt of a <see cref="JobStatus.Failed"/> or <see cref="JobStatus.Cancelled"/> job, with the
    /// same id and input; the earlier attempt stays readable in <see cref="JobSnapshot.PreviousAttempts"/>.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// <see cref="JobCommandOutcome.Applied"/> with the pending job, <see cref="JobCommandOutcome.Conflict"/> when the
    /// job is active, completed or about to be deleted, or <see cref="JobCommandOutcome.NotFound"/>.
    /// </returns>
    /// <exception cref="JobQueueFullException">Too many jobs are waiting; the job was not retried.</exception>
    ValueTask<JobCommandResult> RetryAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a job: a finished or pending job is removed at once; a running job is cancelled and removed once its
    /// code stopped.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="requestedBy">Who asks, kept as the canceller when the job was running.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// <see cref="JobCommandOutcome.Applied"/> when the job was removed, <see cref="JobCommandOutcome.Accepted"/> when
    /// it is removed once it stopped, or <see cref="JobCommandOutcome.NotFound"/>.
    /// </returns>
    ValueTask<JobCommandResult> DeleteAsync(string jobId, string? requestedBy = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until the current attempt of a job reaches a terminal status.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Stops waiting (not the job).</param>
    /// <returns>The job in its terminal status, or <see langword="null"/> when no job has that id or it was removed before it finished.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    ValueTask<JobSnapshot?> WaitForCompletionAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the changes to jobs that match <paramref name="filter"/>, each published once the store holds it.
    /// </summary>
    /// <param name="filter">The jobs to watch, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>The changes, in the order the store made them for each job.</returns>
    /// <remarks>
    /// <para>
    /// A change is streamed when the job matches <paramref name="filter"/> after it or matched it before it (see
    /// <see cref="JobFilter.Matches(JobChange)"/>): a watcher of Running jobs also gets the change that takes each job out
    /// of Running, whose <see cref="JobChange.PreviousStatus"/> is Running and whose job is no longer.
    /// </para>
    /// <para>
    /// A watcher that falls more than <see cref="CancellableJobsOptions.WatcherBufferSize"/> changes behind skips the
    /// oldest ones; every change carries the whole job, so the newest change always tells the current state.
    /// </para>
    /// </remarks>
    IAsyncEnumerable<JobChange> WatchAsync(JobFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the changes to one job, starting with its current state.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>The job's current state as a <see cref="JobChangeKind.Updated"/> change, then each change; the stream ends when the job is removed or does not exist.</returns>
    IAsyncEnumerable<JobChange> WatchAsync(string jobId, CancellationToken cancellationToken = default);
}
