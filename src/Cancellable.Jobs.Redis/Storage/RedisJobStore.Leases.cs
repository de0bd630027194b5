using System.Globalization;
using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Storage;

/// <summary>
/// Leases: a job becomes active with a lease (a deadline in the <c>leases</c> sorted set) that the instance which
/// claimed it renews; a job whose lease lapsed is marked stale by any instance.
/// </summary>
public sealed partial class RedisJobStore
{
    /// <summary>Gets or sets a value indicating whether this instance stops renewing its leases, as a killed one would (tests).</summary>
    internal bool RenewalPaused { get; set; }

    /// <summary>Gets the ids of the active jobs this instance claimed and still holds a lease on.</summary>
    internal ICollection<string> HeldJobIds => _held.Keys;

    /// <summary>Extends the leases of the jobs this instance runs, and forgets those it no longer holds.</summary>
    internal async Task RenewLeasesAsync()
    {
        if (RenewalPaused || _held.IsEmpty)
        {
            return;
        }

        var args = new List<RedisValue> { _prefix, LeaseDeadline() };
        foreach (var (id, runId) in _held)
        {
            args.Add(id);
            args.Add(runId);
        }

        var lost = (RedisValue[])(await Database.ScriptEvaluateAsync(RedisScripts.RenewLeases, [_prefix + "leases"], [.. args]).ConfigureAwait(false))!;
        foreach (var id in lost)
        {
            _held.TryRemove(id.ToString(), out _);
        }
    }

    /// <summary>Replaces each active job whose lease lapsed with <paramref name="stale"/>'s result, by compare-and-swap.</summary>
    /// <returns>The jobs marked stale by this call.</returns>
    internal async Task<IReadOnlyList<JobSnapshot>> MarkLapsedAsync(Func<JobSnapshot, DateTimeOffset, JobSnapshot> stale, int maxCount)
    {
        var now = _timeProvider.GetUtcNow();
        var ids = (RedisValue[])(await Database.ScriptEvaluateAsync(
            RedisScripts.TakeLapsedLeases,
            [_prefix + "leases"],
            [Millis(now), LeaseDeadline(), maxCount]).ConfigureAwait(false))!;
        var marked = new List<JobSnapshot>();
        foreach (var id in ids)
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var job = await GetAsync(id.ToString()).ConfigureAwait(false);
                if (job is null || job.Status is not (JobStatus.Running or JobStatus.Cancelling))
                {
                    break;
                }

                if (await ReplaceAsync(job, stale(job, now)).ConfigureAwait(false) is { } replaced)
                {
                    marked.Add(replaced);
                    break;
                }
            }
        }

        return marked;
    }

    private static string Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private string LeaseDeadline() => Millis(_timeProvider.GetUtcNow() + _options.LeaseTime);

    private void AddLeaseArguments(List<RedisValue> args, JobSnapshot job)
    {
        args.Add(job.RunId ?? string.Empty);
        args.Add(LeaseDeadline());
    }
}
