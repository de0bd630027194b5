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
/// <remarks>
/// A stale job ends Failed with <see cref="JobCancelReason.Stale"/>, or is re-queued as its next attempt when its type
/// opts in (<see cref="JobTypeOptions.RequeueWhenStale"/>) and it was re-queued fewer than
/// <see cref="JobTypeOptions.MaxStaleRequeues"/> times (a job stopped at that bound is logged as event 1005, not 1002);
/// either way through the manager's compare-and-swap, so the sweeper hears of the end and a job whose deletion was asked
/// for is removed.
/// </remarks>
internal sealed class RedisLeaseMonitor(
    IJobStore store,
    JobManager manager,
    IOptions<RedisJobStoreOptions> options,
    IOptionsMonitor<JobTypeOptions> jobTypeOptions,
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

    /// <summary>Renews this instance's leases, then marks stale the jobs whose lease lapsed.</summary>
    /// <returns>The jobs marked stale, as stored: Failed, or Pending again when re-queued.</returns>
    internal async Task<IReadOnlyList<JobSnapshot>> CheckAsync(CancellationToken cancellationToken)
    {
        var marked = new List<JobSnapshot>();
        if (store is not RedisJobStore redis)
        {
            return marked;
        }

        await redis.RenewLeasesAsync().ConfigureAwait(false);
        foreach (var id in await redis.TakeLapsedAsync(BatchSize).ConfigureAwait(false))
        {
            JobTypeOptions? policy = null; // the options the applied transition used
            var (before, after) = await manager.UpdateAsync(
                id,
                job =>
                {
                    policy = jobTypeOptions.Get(job.Type);
                    return JobTransitions.MarkStale(job, timeProvider.GetUtcNow(), policy.RequeueWhenStale, policy.MaxStaleRequeues, manager.Retention);
                },
                cancellationToken).ConfigureAwait(false);
            if (after is null)
            {
                continue;
            }

            marked.Add(after);
            if (after.Status == JobStatus.Pending)
            {
                Log.JobRequeued(logger, after.Id, after.Type, before!.RunId, after.Attempt);
                continue;
            }

            if (JobTransitions.StaleRequeueBoundReached(before!, policy!.RequeueWhenStale, policy.MaxStaleRequeues))
            {
                Log.StaleRequeueLimitReached(logger, after.Id, after.Type, before!.RunId, JobTransitions.StaleRequeues(before), policy.MaxStaleRequeues);
            }
            else
            {
                Log.JobStale(logger, after.Id, after.Type, before!.RunId);
            }

            await manager.OnEndedAsync(after, cancellationToken).ConfigureAwait(false);
        }

        return marked;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not RedisJobStore || _timer is null)
        {
            return;
        }

        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await CheckAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
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
}
