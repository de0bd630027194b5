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

    /// <summary>
    /// Takes the ids of the active jobs whose lease lapsed, pushing each lease one lease time ahead so that, if this
    /// instance dies before marking them, another one will; the caller marks them stale by compare-and-swap.
    /// </summary>
    internal async Task<IReadOnlyList<string>> TakeLapsedAsync(int maxCount)
    {
        var ids = (RedisValue[])(await Database.ScriptEvaluateAsync(
            RedisScripts.TakeLapsedLeases,
            [_prefix + "leases"],
            [Millis(_timeProvider.GetUtcNow()), LeaseDeadline(), maxCount]).ConfigureAwait(false))!;
        return [.. ids.Select(id => id.ToString())];
    }

    private static string Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private string LeaseDeadline() => Millis(_timeProvider.GetUtcNow() + _options.LeaseTime);

    private void AddLeaseArguments(List<RedisValue> args, JobSnapshot job)
    {
        args.Add(job.RunId ?? string.Empty);
        args.Add(LeaseDeadline());
    }
}
