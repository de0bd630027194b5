namespace Cancellable.Jobs;

/// <summary>
/// What became of an earlier attempt of a job that was retried.
/// </summary>
public sealed record JobAttempt
{
    /// <summary>Gets the attempt's number, starting at 1.</summary>
    public required int Number { get; init; }

    /// <summary>Gets the attempt's terminal status.</summary>
    public required JobStatus Status { get; init; }

    /// <summary>Gets when the attempt started running, if it did.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Gets when the attempt ended.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets the attempt's error, when it failed.</summary>
    public JobError? Error { get; init; }

    /// <summary>Gets why the attempt was cancelled, when it was.</summary>
    public JobCancelReason? CancelReason { get; init; }

    /// <summary>Gets the attempt's last progress.</summary>
    public JobProgress Progress { get; init; } = JobProgress.None;

    /// <summary>Gets the attempt's messages.</summary>
    public IReadOnlyList<JobMessage> Messages { get; init; } = [];

    /// <summary>Gets the attempt's partial result, as JSON.</summary>
    public System.Text.Json.JsonElement? PartialResult { get; init; }
}
