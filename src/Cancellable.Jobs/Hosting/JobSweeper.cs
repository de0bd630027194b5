using System.Threading.Channels;
using Cancellable.Jobs.Storage;
using Cancellable.Jobs.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cancellable.Jobs.Hosting;

/// <summary>
/// Removes finished jobs once their <see cref="JobSnapshot.ExpiresAt"/> has passed, and the oldest finished jobs beyond
/// <see cref="CancellableJobsOptions.MaxRetainedJobs"/>. It sleeps until the soonest expiry, or until a job ends.
/// </summary>
internal sealed class JobSweeper(IJobStore store, IOptions<CancellableJobsOptions> options, TimeProvider timeProvider, ILogger<JobSweeper> logger) : BackgroundService
{
    /// <summary>The most jobs one store call removes, so one sweep never holds the store for long.</summary>
    internal const int BatchSize = 1_000;

    /// <summary>How long the sweeper sleeps when nothing expires, in case another process filled the store.</summary>
    internal static readonly TimeSpan IdleInterval = TimeSpan.FromMinutes(1);

    /// <summary>How long the sweeper waits after a failed sweep.</summary>
    internal static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // When the sweeper next wakes (UTC ticks; long.MaxValue until it planned that, so every ending job wakes it), and how
    // many more jobs may end before the finished jobs exceed MaxRetainedJobs. A job that ends wakes the sweeper only when
    // it expires before that wake or uses up that headroom.
    private long _nextSweep = long.MaxValue;
    private long _headroom;

    /// <summary>
    /// Tells the sweeper a job ended; it wakes when the job expires before its next sweep, or when the finished jobs may
    /// now exceed <see cref="CancellableJobsOptions.MaxRetainedJobs"/>.
    /// </summary>
    public void Notify(JobSnapshot ended)
    {
        var expiresEarlier = ended.ExpiresAt is { } at && at.UtcTicks < Volatile.Read(ref _nextSweep);
        if (Interlocked.Decrement(ref _headroom) < 0 || expiresEarlier)
        {
            _signal.Writer.TryWrite(true);
        }
    }

    /// <summary>Runs one sweep: removes what expired by now and what exceeds the cap.</summary>
    /// <returns>The soonest expiry still held.</returns>
    internal async Task<DateTimeOffset?> SweepAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _nextSweep, long.MaxValue);
        int expired = 0, evicted = 0, removed;
        do
        {
            removed = (await store.RemoveExpiredAsync(timeProvider.GetUtcNow(), BatchSize, cancellationToken).ConfigureAwait(false)).Count;
            expired += removed;
        }
        while (removed == BatchSize);

        evicted = (await store.TrimFinishedAsync(options.Value.MaxRetainedJobs, cancellationToken).ConfigureAwait(false)).Count;
        if (expired + evicted > 0)
        {
            Log.SweepCompleted(logger, expired, evicted);
        }

        var finished = (await store.GetStatisticsAsync(JobGrouping.None, keyPrefix: null, cancellationToken).ConfigureAwait(false)).Overall;
        Volatile.Write(ref _headroom, (long)options.Value.MaxRetainedJobs - finished.Completed - finished.Failed - finished.Cancelled);
        return await store.GetNextExpiryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                var next = await SweepAsync(stoppingToken).ConfigureAwait(false);
                var now = timeProvider.GetUtcNow();
                delay = next is { } at ? Clamp(at - now) : IdleInterval;
                Volatile.Write(ref _nextSweep, (now + delay).UtcTicks);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.SweepFailed(logger, ex);
                delay = RetryInterval;
            }

            await WaitAsync(delay, stoppingToken).ConfigureAwait(false);
        }
    }

    private static TimeSpan Clamp(TimeSpan delay) => delay < TimeSpan.Zero ? TimeSpan.Zero : delay > IdleInterval ? IdleInterval : delay;

    private async Task WaitAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        if (delay == TimeSpan.Zero || _signal.Reader.TryRead(out _))
        {
            return;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var timer = Task.Delay(delay, timeProvider, wait.Token);
        var signal = _signal.Reader.WaitToReadAsync(wait.Token).AsTask();
        await Task.WhenAny(timer, signal).ConfigureAwait(false);
        _signal.Reader.TryRead(out _);
        await wait.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(timer, signal).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
