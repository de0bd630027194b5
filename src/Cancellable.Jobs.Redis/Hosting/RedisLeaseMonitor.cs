using Cancellable.Jobs.Redis.Storage;
using Cancellable.Jobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cancellable.Jobs.Redis.Hosting;

/// <summary>
/// Every <see cref="RedisJobStoreOptions.LeaseCheckInterval"/>: renews the leases of the jobs this instance runs, and
/// marks stale the jobs whose lease lapsed on any instance, so that nothing stays running forever.
/// </summary>
internal sealed class RedisLeaseMonitor(
    IJobStore store,
    IOptions<RedisJobStoreOptions> options,
    IOptions<CancellableJobsOptions> jobOptions,
    TimeProvider timeProvider,
    ILogger<RedisLeaseMonitor> logger) : BackgroundService
{
    /// <summary>The most lapsed leases one check handles.</summary>
    internal const int BatchSize = 100;

    private PeriodicTimer? _timer;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Created here, not in ExecuteAsync (which may start later on another thread), so no tick is missed.
        _timer = new PeriodicTimer(options.Value.LeaseCheckInterval, timeProvider);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not RedisJobStore redis || _timer is null)
        {
            return;
        }

        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await redis.RenewLeasesAsync().ConfigureAwait(false);
                    foreach (var job in await redis.MarkLapsedAsync(Stale, BatchSize).ConfigureAwait(false))
                    {
                        Log.JobStale(logger, job.Id, job.Type, job.RunId);
                    }
                }
                catch (Exception ex)
                {
                    Log.LeaseCheckFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private JobSnapshot Stale(JobSnapshot job, DateTimeOffset now) => job with
    {
        Status = JobStatus.Failed,
        CompletedAt = now,
        CancelRequestedAt = job.CancelRequestedAt ?? now,
        CancelReason = JobCancelReason.Stale,
        Error = new JobError(
            "Cancellable.Jobs.Redis.LeaseLapsed",
            $"The lease of run {job.RunId} lapsed: the instance running the job stopped renewing it (killed, or cut off from Redis).",
            StackTrace: null),
        ExpiresAt = now + jobOptions.Value.FailedRetention,
    };
}
