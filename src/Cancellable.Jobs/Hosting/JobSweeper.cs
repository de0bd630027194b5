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

    /// <summary>Wakes the sweeper: a job ended, so an earlier expiry or an excess over the cap may exist.</summary>
    public void Notify() => _signal.Writer.TryWrite(true);

    /// <summary>Runs one sweep: removes what expired by now and what exceeds the cap.</summary>
    /// <returns>The soonest expiry still held.</returns>
    internal async Task<DateTimeOffset?> SweepAsync(CancellationToken cancellationToken)
    {
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
                delay = next is { } at ? Clamp(at - timeProvider.GetUtcNow()) : IdleInterval;
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
