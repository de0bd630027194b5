using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Cancellable.Jobs.Hosting;
using Cancellable.Jobs.Storage;
using Cancellable.Jobs.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cancellable.Jobs;

/// <summary>
/// The default <see cref="IJobManager"/>, and the place where every transition of the lifecycle is applied to the store.
/// </summary>
internal sealed partial class JobManager(
    IJobStore store,
    JobTypeRegistry registry,
    IOptions<CancellableJobsOptions> options,
    TimeProvider timeProvider,
    IServiceProvider services,
    JobSweeper sweeper,
    JobsTelemetry telemetry,
    ILogger<JobManager> logger) : IJobManager
{
    private readonly CancellableJobsOptions _options = options.Value;
    private Func<JobStatus, TimeSpan>? _retention;

    public IJobStore Store => store;

    public CancellableJobsOptions Options => _options;

    public JobTypeRegistry Registry => registry;

    public ValueTask<JobSnapshot> StartAsync<TInput>(string jobType, TInput input, JobStartOptions? options = null, CancellationToken cancellationToken = default)
    {
        var descriptor = Resolve(jobType);
        return CreateAsync(descriptor, descriptor.PrepareInput(input, services, _options.SerializerOptions), options, cancellationToken);
    }

    public ValueTask<JobSnapshot> StartAsync(string jobType, JsonElement input, JobStartOptions? options = null, CancellationToken cancellationToken = default)
    {
        var descriptor = Resolve(jobType);
        return CreateAsync(descriptor, descriptor.PrepareInput(input, services, _options.SerializerOptions), options, cancellationToken);
    }

    public ValueTask<JobSnapshot?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return store.GetAsync(jobId, cancellationToken);
    }

    public ValueTask<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.PageSize, JobQuery.MaxPageSize, nameof(query));
        return store.QueryAsync(query, cancellationToken);
    }

    public ValueTask<JobStatistics> GetStatisticsAsync(JobGrouping groupBy = JobGrouping.None, string? keyPrefix = null, CancellationToken cancellationToken = default) =>
        store.GetStatisticsAsync(groupBy, keyPrefix, cancellationToken);

    public async ValueTask<JobCommandResult> CancelAsync(string jobId, string? requestedBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var (before, after) = await UpdateAsync(jobId, job => JobTransitions.Cancel(job, timeProvider.GetUtcNow(), JobCancelReason.Requested, requestedBy, Retention), cancellationToken, firesTokenItself: true).ConfigureAwait(false);
        if (before is null)
        {
            return JobCommandResult.NotFound;
        }

        if (after is null)
        {
            return before.Status == JobStatus.Cancelling ? new(JobCommandOutcome.Accepted, before) : new(JobCommandOutcome.Conflict, before);
        }

        OnCancellationRequested(after);
        return new(after.Status == JobStatus.Cancelled ? JobCommandOutcome.Applied : JobCommandOutcome.Accepted, after);
    }

    public async ValueTask<int> CancelAllAsync(JobFilter? filter = null, string? requestedBy = null, CancellationToken cancellationToken = default)
    {
        filter ??= new JobFilter();
        if (filter.Status is { } status && status.IsTerminal())
        {
            return 0;
        }

        // Collect first, then cancel: cancelling moves jobs between the indexes a page walk would follow.
        var ids = new List<string>();
        foreach (var active in filter.Status is { } only ? [only] : new[] { JobStatus.Pending, JobStatus.Running })
        {
            var query = new JobQuery { Status = active, Type = filter.Type, Owner = filter.Owner, Tag = filter.Tag, PageSize = JobQuery.MaxPageSize };
            do
            {
                var page = await store.QueryAsync(query, cancellationToken).ConfigureAwait(false);
                ids.AddRange(page.Items.Select(j => j.Id));
                query = query with { ContinuationToken = page.ContinuationToken };
            }
            while (query.ContinuationToken is not null);
        }

        var count = 0;
        foreach (var id in ids)
        {
            var (_, after) = await UpdateAsync(id, job => filter.Matches(job) ? JobTransitions.Cancel(job, timeProvider.GetUtcNow(), JobCancelReason.Requested, requestedBy, Retention) : null, cancellationToken, firesTokenItself: true).ConfigureAwait(false);
            if (after is not null)
            {
                OnCancellationRequested(after);
                count++;
            }
        }

        return count;
    }

    public async ValueTask<JobCommandResult> RetryAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);

        // A retry adds a pending job, so it honours MaxPendingJobs as a start does; the check is fail-fast, not atomic.
        if (await store.GetAsync(jobId, cancellationToken).ConfigureAwait(false) is { } current
            && JobTransitions.Retry(current) is not null
            && (await store.GetStatisticsAsync(JobGrouping.None, null, cancellationToken).ConfigureAwait(false)).Overall.Pending >= _options.MaxPendingJobs)
        {
            throw new JobQueueFullException(current.Type, _options.MaxPendingJobs) { JobId = current.Id };
        }

        var (before, after) = await UpdateAsync(jobId, JobTransitions.Retry, cancellationToken).ConfigureAwait(false);
        if (before is null)
        {
            return JobCommandResult.NotFound;
        }

        if (after is null)
        {
            return new(JobCommandOutcome.Conflict, before);
        }

        Log.JobRetried(logger, after.Id, after.Type, after.Attempt);
        return new(JobCommandOutcome.Applied, after);
    }

    public async ValueTask<JobCommandResult> DeleteAsync(string jobId, string? requestedBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        while (true)
        {
            var job = await store.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                return JobCommandResult.NotFound;
            }

            if (job.Status is JobStatus.Running or JobStatus.Cancelling)
            {
                var marked = job.Status == JobStatus.Running
                    ? JobTransitions.Cancel(job, timeProvider.GetUtcNow(), JobCancelReason.Requested, requestedBy, Retention)! with { IsDeleteRequested = true }
                    : JobTransitions.RequestDelete(job);
                if (marked is null)
                {
                    return new(JobCommandOutcome.Accepted, job);
                }

                var stored = await ReplaceAsync(job, marked, firesTokenItself: true, cancellationToken).ConfigureAwait(false);
                if (stored is not null)
                {
                    OnCancellationRequested(stored);
                    return new(JobCommandOutcome.Accepted, stored);
                }

                continue;
            }

            // Pending or finished: no code is running, so the job goes at once.
            if (await store.RemoveAsync(job, cancellationToken).ConfigureAwait(false))
            {
                if (job.Status == JobStatus.Pending)
                {
                    telemetry.CancelledBeforeStart(job.Type);
                }

                Log.JobDeleted(logger, job.Id, job.Type);
                return new(JobCommandOutcome.Applied, null);
            }
        }
    }

    public async ValueTask<JobSnapshot?> WaitForCompletionAsync(string jobId, CancellationToken cancellationToken = default)
    {
        JobSnapshot? last = null;
        await foreach (var change in WatchAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            if (change.Kind == JobChangeKind.Removed)
            {
                break;
            }

            last = change.Job;
            if (last.Status.IsTerminal())
            {
                return last;
            }
        }

        return last is { Status: var status } && status.IsTerminal() ? last : null;
    }

    public IAsyncEnumerable<JobChange> WatchAsync(JobFilter? filter = null, CancellationToken cancellationToken = default) =>
        WatchCoreAsync(filter is null ? static _ => true : filter.Matches, initialJobId: null, cancellationToken);

    public IAsyncEnumerable<JobChange> WatchAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return WatchCoreAsync(change => string.Equals(change.Job.Id, jobId, StringComparison.Ordinal), jobId, cancellationToken);
    }

    /// <summary>Applies a transition with compare-and-swap until it holds or the rule refuses it.</summary>
    /// <returns>The job before the transition (null when not found) and after it (null when refused).</returns>
    internal ValueTask<(JobSnapshot? Before, JobSnapshot? After)> UpdateAsync(string jobId, Func<JobSnapshot, JobSnapshot?> transition, CancellationToken cancellationToken, bool firesTokenItself = false) =>
        UpdateAsync(jobId, transition, static (job, transition) => transition(job), cancellationToken, firesTokenItself);

    /// <summary>
    /// Applies <paramref name="transition"/> to the job's current record with a compare-and-swap, reading again after a
    /// lost race; <paramref name="state"/> is passed to it, so that the runner's hot paths need no closure.
    /// </summary>
    /// <remarks>
    /// With <paramref name="firesTokenItself"/>, the caller fires the token of a run in this process that the transition
    /// cancels once this returns (see <see cref="IsWritingOwnCancel"/>).
    /// </remarks>
    /// <returns>The record the transition saw last (null: no such job), and the stored result (null: not applicable).</returns>
    internal async ValueTask<(JobSnapshot? Before, JobSnapshot? After)> UpdateAsync<TState>(string jobId, TState state, Func<JobSnapshot, TState, JobSnapshot?> transition, CancellationToken cancellationToken, bool firesTokenItself = false)
    {
        while (true)
        {
            var job = await store.GetAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                return (null, null);
            }

            var next = transition(job, state);
            if (next is null)
            {
                return (job, null);
            }

            var stored = await ReplaceAsync(job, next, firesTokenItself, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                return (job, stored);
            }
        }
    }

    /// <summary>
    /// Tells whether this thread is inside a store write of the cancellation of <paramref name="jobId"/> whose token the
    /// writing call fires itself as soon as the write returns: a store that publishes its changes inside the write (the
    /// in-memory one) calls the runner on this thread, and the runner need not fire the token from the change feed too.
    /// </summary>
    internal static bool IsWritingOwnCancel(string jobId) => string.Equals(t_writingOwnCancelOf, jobId, StringComparison.Ordinal);

    [ThreadStatic]
    private static string? t_writingOwnCancelOf;

    /// <summary>Replaces the record; <paramref name="firesTokenItself"/> marks the write's synchronous part (see <see cref="IsWritingOwnCancel"/>).</summary>
    private ValueTask<JobSnapshot?> ReplaceAsync(JobSnapshot job, JobSnapshot next, bool firesTokenItself, CancellationToken cancellationToken)
    {
        if (!firesTokenItself)
        {
            return store.ReplaceAsync(job, next, cancellationToken);
        }

        // Only around the call: whatever the write does after its first await runs elsewhere, unmarked.
        t_writingOwnCancelOf = job.Id;
        try
        {
            return store.ReplaceAsync(job, next, cancellationToken);
        }
        finally
        {
            t_writingOwnCancelOf = null;
        }
    }

    /// <summary>Follows a terminal transition: removes a job whose deletion was asked for, and tells the sweeper.</summary>
    internal async ValueTask OnEndedAsync(JobSnapshot job, CancellationToken cancellationToken)
    {
        if (job.IsDeleteRequested && await store.RemoveAsync(job, cancellationToken).ConfigureAwait(false))
        {
            Log.JobDeleted(logger, job.Id, job.Type);
            return;
        }

        sweeper.Notify(job);
    }

    /// <summary>Gets how long a job that ended in a status is kept (one delegate, not one per transition).</summary>
    internal Func<JobStatus, TimeSpan> Retention => _retention ??= RetentionOf;

    private TimeSpan RetentionOf(JobStatus status) => status switch
    {
        JobStatus.Completed => _options.CompletedRetention,
        JobStatus.Failed => _options.FailedRetention,
        _ => _options.CancelledRetention,
    };

    /// <summary>
    /// Gets or sets what fires the token of a job running in this process, on the thread that asked for its
    /// cancellation; the runner sets it. Runs in other processes learn of it through the store's change feed.
    /// </summary>
    internal Action<JobSnapshot>? CancelLocalRun { get; set; }

    private void OnCancellationRequested(JobSnapshot job)
    {
        Log.CancellationRequested(logger, job.Id, job.Type, job.CancelReason ?? JobCancelReason.Requested);
        if (job.Status == JobStatus.Cancelling)
        {
            CancelLocalRun?.Invoke(job);
        }

        if (job.Status == JobStatus.Cancelled)
        {
            telemetry.CancelledBeforeStart(job.Type);
            Log.JobCancelled(logger, job.Id, job.Type, job.CancelReason ?? JobCancelReason.Requested);
            _ = OnEndedAsync(job, CancellationToken.None).AsTask();
        }
    }

    private JobTypeDescriptor Resolve(string jobType)
    {
        ArgumentNullException.ThrowIfNull(jobType);
        return registry.Find(jobType) ?? throw new JobValidationException(jobType, new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["type"] = [$"Unknown job type '{jobType}'. Registered types: {(registry.Names.Count == 0 ? "none" : string.Join(", ", registry.Names))}."],
        });
    }

    private async ValueTask<JobSnapshot> CreateAsync(JobTypeDescriptor descriptor, byte[] input, JobStartOptions? startOptions, CancellationToken cancellationToken)
    {
        var errors = JobStartOptionsValidator.Validate(startOptions);
        if (input.Length > _options.MaxInputSize)
        {
            errors ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
            errors["input"] = [$"The input is {input.Length} bytes of JSON; at most {_options.MaxInputSize} are accepted (CancellableJobsOptions.MaxInputSize)."];
        }

        if (errors is not null)
        {
            throw new JobValidationException(descriptor.Name, errors);
        }

        var job = new JobSnapshot
        {
            Id = JobIds.New(),
            Type = descriptor.Name,
            Status = JobStatus.Pending,
            Owner = startOptions?.Owner,
            Tags = startOptions?.Tags is { Count: > 0 } tags ? [.. tags.Distinct(StringComparer.Ordinal)] : [],
            InputUtf8 = input,
            CreatedAt = timeProvider.GetUtcNow(),
            Timeout = startOptions?.Timeout ?? _options.DefaultTimeout,
            Version = 1,
        };

        // The in-memory store may keep this very instance: nothing else holds it (one copy less per job).
        var stored = (store is InMemoryJobStore memory ? memory.CreateOwned(job, _options.MaxPendingJobs) : await store.CreateAsync(job, _options.MaxPendingJobs, cancellationToken).ConfigureAwait(false))
            ?? throw new JobQueueFullException(descriptor.Name, _options.MaxPendingJobs);
        Log.JobCreated(logger, stored.Id, stored.Type);
        return stored;
    }

    private async IAsyncEnumerable<JobChange> WatchCoreAsync(Func<JobChange, bool> matches, string? initialJobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<JobChange>(new BoundedChannelOptions(_options.WatcherBufferSize)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });

        using var subscription = store.Subscribe(change =>
        {
            if (matches(change))
            {
                channel.Writer.TryWrite(change);
            }
        });

        // Subscribed first, read second: a change racing the read is seen twice rather than missed; versions drop the repeat.
        var lastVersion = 0L;
        if (initialJobId is not null)
        {
            var current = await store.GetAsync(initialJobId, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                yield break;
            }

            lastVersion = current.Version;
            yield return new JobChange(JobChangeKind.Updated, current);
        }

        while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (channel.Reader.TryRead(out var change))
            {
                if (initialJobId is not null)
                {
                    if (change.Kind != JobChangeKind.Removed && change.Job.Version <= lastVersion)
                    {
                        continue;
                    }

                    lastVersion = change.Job.Version;
                }

                yield return change;
                if (initialJobId is not null && change.Kind == JobChangeKind.Removed)
                {
                    yield break;
                }
            }
        }
    }
}
