using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.Telemetry;

/// <summary>
/// The library's log messages, with stable event ids.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Job {JobId} of type {JobType} was created.")]
    public static partial void JobCreated(ILogger logger, string jobId, string jobType);

    [LoggerMessage(2, LogLevel.Debug, "Job {JobId} of type {JobType} started attempt {Attempt}.")]
    public static partial void JobStarted(ILogger logger, string jobId, string jobType, int attempt);

    [LoggerMessage(3, LogLevel.Information, "Job {JobId} of type {JobType} completed in {Duration}.")]
    public static partial void JobCompleted(ILogger logger, string jobId, string jobType, TimeSpan duration);

    [LoggerMessage(4, LogLevel.Warning, "Job {JobId} of type {JobType} failed: {Error}")]
    private static partial void JobFailed(ILogger logger, Exception exception, string jobId, string jobType, string error);

    /// <summary>Logs a failed job with its error's type and message, escaped: the message is the job's, untrusted text.</summary>
    public static void JobFailed(ILogger logger, Exception exception, string jobId, string jobType, JobError error)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            JobFailed(logger, exception, jobId, jobType, LogText.Escape($"{error.Type}: {error.Message}"));
        }
    }

    [LoggerMessage(5, LogLevel.Information, "Job {JobId} of type {JobType} was cancelled ({Reason}).")]
    public static partial void JobCancelled(ILogger logger, string jobId, string jobType, JobCancelReason reason);

    [LoggerMessage(6, LogLevel.Information, "Cancellation of job {JobId} of type {JobType} was requested ({Reason}).")]
    public static partial void CancellationRequested(ILogger logger, string jobId, string jobType, JobCancelReason reason);

    [LoggerMessage(7, LogLevel.Warning, "Job {JobId} of type {JobType} has not stopped {GracePeriod} after its cancellation; its code ignores its cancellation token.")]
    public static partial void CancellationOverdue(ILogger logger, string jobId, string jobType, TimeSpan gracePeriod);

    [LoggerMessage(8, LogLevel.Information, "Job {JobId} of type {JobType} was retried as attempt {Attempt}.")]
    public static partial void JobRetried(ILogger logger, string jobId, string jobType, int attempt);

    [LoggerMessage(9, LogLevel.Information, "Job {JobId} of type {JobType} was deleted.")]
    public static partial void JobDeleted(ILogger logger, string jobId, string jobType);

    [LoggerMessage(10, LogLevel.Debug, "The sweeper removed {Expired} expired and {Evicted} evicted jobs.")]
    public static partial void SweepCompleted(ILogger logger, int expired, int evicted);

    [LoggerMessage(11, LogLevel.Error, "The sweep of finished jobs failed; it will be tried again.")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Error, "The job runner could not claim a job; it will try again.")]
    public static partial void ClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(13, LogLevel.Warning, "The progress of job {JobId} could not be written to the store.")]
    public static partial void FlushFailed(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(14, LogLevel.Warning, "{Count} jobs had not stopped when the host's shutdown timeout elapsed.")]
    public static partial void ShutdownIncomplete(ILogger logger, int count);

    [LoggerMessage(15, LogLevel.Warning, "The store refused the end of job {JobId}'s run {RunId}: another run holds the job.")]
    public static partial void EndRefused(ILogger logger, string jobId, string runId);

    [LoggerMessage(16, LogLevel.Error, "The end of job {JobId} could not be written to the store.")]
    public static partial void EndFailed(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(17, LogLevel.Warning, "The job runner could not re-read job {JobId} from the store; it will try again at the next poll.")]
    public static partial void PollFailed(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(18, LogLevel.Warning, "The end of job {JobId} could not be written to the store; it will be tried again in {Delay}.")]
    public static partial void EndRetrying(ILogger logger, Exception exception, string jobId, TimeSpan delay);
}
