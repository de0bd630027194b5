using System.Text.Json;

namespace Cancellable.Jobs;

/// <summary>
/// Options for Cancellable.Jobs, validated when the host starts.
/// </summary>
public sealed class CancellableJobsOptions
{
    /// <summary>
    /// Gets or sets how many jobs run at once in this process; further jobs wait as <see cref="JobStatus.Pending"/>.
    /// The default value is 20.
    /// </summary>
    public int MaxConcurrentJobs { get; set; } = 20;

    /// <summary>
    /// Gets or sets how many jobs may wait as <see cref="JobStatus.Pending"/>; a start beyond it throws
    /// <see cref="JobQueueFullException"/>. The default value is 100,000.
    /// </summary>
    public int MaxPendingJobs { get; set; } = 100_000;

    /// <summary>Gets or sets how long a completed job is kept. The default value is 1 hour.</summary>
    public TimeSpan CompletedRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how long a failed job is kept. The default value is 1 hour.</summary>
    public TimeSpan FailedRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how long a cancelled job is kept. The default value is 1 hour.</summary>
    public TimeSpan CancelledRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Gets or sets how many finished jobs are kept at most; beyond it the oldest finished are removed first.
    /// The default value is 100,000.
    /// </summary>
    /// <remarks>
    /// The sweeper applies the cap as soon as jobs end, so while jobs finish faster than it runs the count can exceed the
    /// cap briefly, by the jobs that ended since its last sweep (docs/RELIABILITY.md has figures).
    /// </remarks>
    public int MaxRetainedJobs { get; set; } = 100_000;

    /// <summary>
    /// Gets or sets how many messages of each level a job keeps; beyond it the oldest are dropped and counted.
    /// The default value is 1,000.
    /// </summary>
    public int MaxMessagesPerLevel { get; set; } = 1_000;

    /// <summary>
    /// Gets or sets the longest message text kept, in characters; a longer one is truncated with a marker.
    /// The default value is 4,096.
    /// </summary>
    public int MaxMessageLength { get; set; } = 4_096;

    /// <summary>
    /// Gets or sets how many steps (<see cref="JobContext.Step(string, double)"/>, at any depth) one job may declare;
    /// declaring one more throws <see cref="InvalidOperationException"/>. The default value is 1,000.
    /// </summary>
    public int MaxStepsPerJob { get; set; } = 1_000;

    /// <summary>
    /// Gets or sets the largest job input accepted, in bytes of JSON; a start with a larger input throws
    /// <see cref="JobValidationException"/> and creates no job. The default value is 1,048,576 (1 MiB).
    /// </summary>
    public int MaxInputSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets the largest result or partial result kept, in bytes of JSON; a larger one is not kept, and the job
    /// gets an error message that says so (a completed job stays completed). The default value is 1,048,576 (1 MiB).
    /// </summary>
    public int MaxResultSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets how often a running job's progress, messages and partial result are written to the store; reports
    /// in between are coalesced. The default value is 250 milliseconds.
    /// </summary>
    public TimeSpan ProgressFlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Gets or sets how long a job may stay <see cref="JobStatus.Cancelling"/> before it is flagged
    /// <see cref="JobSnapshot.IsCancellationOverdue"/>. The default value is 30 seconds.
    /// </summary>
    public TimeSpan CancellationGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how often the runner looks for pending jobs it was not told about and re-reads the records of the jobs
    /// it runs, so that a lost change notification (possible when several processes share a store) delays a start or a
    /// cancellation by at most this long. The default value is 5 seconds.
    /// </summary>
    public TimeSpan RunnerPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets the timeout of each attempt for jobs started without one, or <see langword="null"/> for none.
    /// The default value is <see langword="null"/>.
    /// </summary>
    public TimeSpan? DefaultTimeout { get; set; }

    /// <summary>
    /// Gets or sets how many changes a watcher may fall behind before it skips the oldest. The default value is 1,024.
    /// </summary>
    public int WatcherBufferSize { get; set; } = 1_024;

    /// <summary>
    /// Gets or sets the serializer options for job inputs, results and partial results. The default value uses the
    /// web defaults (camelCase) and reflection where the app allows it.
    /// </summary>
    /// <remarks>
    /// For trimmed or native AOT apps, set <see cref="JsonSerializerOptions.TypeInfoResolver"/> to a source-generated
    /// <c>JsonSerializerContext</c> that includes every input and result type.
    /// </remarks>
    public JsonSerializerOptions SerializerOptions { get; set; } = JobJson.CreateDefaultOptions();
}
