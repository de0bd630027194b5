using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.Redis.Storage;

/// <summary>
/// The Redis store's log messages, with stable event ids (1000 and up, apart from the core's).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Warning, "A change published on {Channel} could not be read and was skipped.")]
    public static partial void ChangeUnreadable(ILogger logger, Exception exception, string channel);

    [LoggerMessage(1002, LogLevel.Warning, "Job {JobId} of type {JobType} was marked stale: the lease of run {RunId} lapsed.")]
    public static partial void JobStale(ILogger logger, string jobId, string jobType, string? runId);

    [LoggerMessage(1003, LogLevel.Error, "Renewing or checking job leases in Redis failed; it will be tried again.")]
    public static partial void LeaseCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(1004, LogLevel.Warning, "Job {JobId} of type {JobType} was re-queued as attempt {Attempt}: the lease of run {RunId} lapsed.")]
    public static partial void JobRequeued(ILogger logger, string jobId, string jobType, string? runId, int attempt);

    [LoggerMessage(1005, LogLevel.Warning, "Job {JobId} of type {JobType} was marked stale and not re-queued: the lease of run {RunId} lapsed, and the job was already re-queued {StaleRequeues} times after its runner died (MaxStaleRequeues is {MaxStaleRequeues}). It may be what kills its runner.")]
    public static partial void StaleRequeueLimitReached(ILogger logger, string jobId, string jobType, string? runId, int staleRequeues, int maxStaleRequeues);
}
