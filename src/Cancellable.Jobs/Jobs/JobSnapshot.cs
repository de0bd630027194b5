using System.Text.Json;

namespace Cancellable.Jobs;

/// <summary>
/// The immutable read model of one job: what it is, where it stands and what it reported.
/// </summary>
/// <remarks>
/// A snapshot is a value: it never changes after a store returned it. Stores replace it as a whole on each
/// transition, and <see cref="Version"/> grows by one with each replacement.
/// </remarks>
public sealed record JobSnapshot
{
    /// <summary>Gets the job's id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the job's registered type name, such as <c>removal_workflow</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Gets the job's status.</summary>
    public required JobStatus Status { get; init; }

    /// <summary>Gets the number of the current attempt, starting at 1; a retry adds one.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Gets who started the job, such as <c>admin@example.com</c>, when known.</summary>
    public string? Owner { get; init; }

    /// <summary>Gets the job's tags, such as <c>project:42</c>.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Gets the job's input, as JSON.</summary>
    public JsonElement? Input { get; init; }

    /// <summary>Gets the job's progress, as last flushed to the store.</summary>
    public JobProgress Progress { get; init; } = JobProgress.None;

    /// <summary>Gets the job's messages, oldest first; each level keeps its newest messages up to the configured cap.</summary>
    public IReadOnlyList<JobMessage> Messages { get; init; } = [];

    /// <summary>Gets how many messages of each level were dropped to keep within the cap.</summary>
    public JobMessageCounts DroppedMessages { get; init; } = JobMessageCounts.None;

    /// <summary>Gets the partial result the job last set, as JSON; it survives cancellation and failure.</summary>
    public JsonElement? PartialResult { get; init; }

    /// <summary>Gets the job's result, as JSON, once it completed and when its type has one.</summary>
    public JsonElement? Result { get; init; }

    /// <summary>Gets the error that failed the job.</summary>
    public JobError? Error { get; init; }

    /// <summary>Gets when the job was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the current attempt started running.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Gets when the current attempt reached its terminal status.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets when cancellation of the current attempt was requested.</summary>
    public DateTimeOffset? CancelRequestedAt { get; init; }

    /// <summary>Gets why the current attempt was cancelled, once cancellation was requested.</summary>
    public JobCancelReason? CancelReason { get; init; }

    /// <summary>Gets who asked for the cancellation, when someone did and said who.</summary>
    public string? CancelRequestedBy { get; init; }

    /// <summary>
    /// Gets a value indicating whether the job stayed <see cref="JobStatus.Cancelling"/> longer than the grace
    /// period: its code ignores its cancellation token.
    /// </summary>
    public bool IsCancellationOverdue { get; init; }

    /// <summary>Gets a value indicating whether the job is removed as soon as it stops.</summary>
    public bool IsDeleteRequested { get; init; }

    /// <summary>Gets the job's timeout per attempt, when it has one.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets when a finished job is removed from the store.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets the earlier attempts, oldest first, when the job was retried.</summary>
    public IReadOnlyList<JobAttempt> PreviousAttempts { get; init; } = [];

    /// <summary>
    /// Gets the fencing token of the current run: set when a runner claims the job, and required to match for the
    /// runner's later writes.
    /// </summary>
    public string? RunId { get; init; }

    /// <summary>Gets the order of creation in the store: a larger value is a newer job.</summary>
    public long Sequence { get; init; }

    /// <summary>Gets the version of this record in the store; every replacement adds one.</summary>
    public long Version { get; init; }
}
