using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Storage;

/// <summary>
/// An <see cref="Cancellable.Jobs.Storage.IJobStore"/> in Redis, shared by every instance that uses the same server and
/// <see cref="RedisJobStoreOptions.KeyPrefix"/>.
/// </summary>
/// <remarks>
/// <para>
/// Each write is one Lua script: a compare-and-swap on the version that also moves the job between its indexes (sorted
/// sets by sequence for all jobs, status, type, owner and tag; per-group status counts as hashes; expiry and completion
/// sets) and publishes the change on the prefix's channel, so that subscribers on every instance see it.
/// </para>
/// <para>
/// Changes reach subscribers through Redis pub/sub, also for writes made by this instance: they arrive shortly after the
/// write returns, in order per job, and are lost while the subscription is disconnected (pub/sub is at-most-once).
/// Finished records carry a Redis time-to-live of their retention plus <see cref="RedisJobStoreOptions.ExpiredRecordGrace"/>.
/// </para>
/// </remarks>
public sealed partial class RedisJobStore : Cancellable.Jobs.Storage.IJobStore, IDisposable
{
    private readonly IConnectionMultiplexer _connection;
    private readonly RedisJobStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _prefix;
    private readonly RedisKey _claims;
    private readonly object _lock = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _held = new(StringComparer.Ordinal);
    private readonly Cancellable.Jobs.Storage.JobChangeSubscribers _subscribers = new();
    private ChannelMessageQueue? _feed;

    /// <summary>
    /// Initializes a new instance of the <see cref="RedisJobStore"/> class.
    /// </summary>
    /// <param name="connection">The connection to Redis; the store does not dispose it.</param>
    /// <param name="options">The store's options.</param>
    /// <param name="timeProvider">The clock that computes records' time-to-live; the default is the system clock.</param>
    /// <param name="logger">Where undeliverable changes are logged; the default logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The key prefix is empty.</exception>
    public RedisJobStore(IConnectionMultiplexer connection, RedisJobStoreOptions options, TimeProvider? timeProvider = null, ILogger<RedisJobStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.KeyPrefix, nameof(options));
        _connection = connection;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _prefix = options.KeyPrefix;
        _claims = _prefix + "claims";
    }

    private IDatabase Database => _connection.GetDatabase();

    /// <inheritdoc />
    public async ValueTask<JobSnapshot?> CreateAsync(JobSnapshot job, int maxPendingJobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var args = RedisJobCodec.WriteArguments(_prefix, job, Ttl(job));
        args.Add(maxPendingJobs);
        AddLeaseArguments(args, job);
        RedisResult result;
        try
        {
            result = await Database.ScriptEvaluateAsync(RedisScripts.Create, [JobKey(job.Id)], [.. args]).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("EXISTS", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"A job with id '{job.Id}' already exists.", ex);
        }

        return result.IsNull ? null : job with { Sequence = (long)result, Version = 1 };
    }

    /// <inheritdoc />
    public async ValueTask<JobSnapshot?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var fields = await Database.HashGetAsync(JobKey(jobId), ["v", "s", "d"]).ConfigureAwait(false);
        return fields[0].IsNull ? null : RedisJobCodec.Read(fields[0], fields[1], fields[2]);
    }

    /// <inheritdoc />
    public async ValueTask<JobSnapshot?> ReplaceAsync(JobSnapshot current, JobSnapshot replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(replacement);
        if (!string.Equals(current.Id, replacement.Id, StringComparison.Ordinal))
        {
            throw new ArgumentException("A replacement must keep the job's id.", nameof(replacement));
        }

        if (replacement.Status.IsTerminal() || (_held.TryGetValue(replacement.Id, out var held) && held != replacement.RunId))
        {
            // Stop renewing before the write: if it fails (Redis away), the lease lapses and the job is marked stale
            // rather than staying Running with a lease nobody needs.
            _held.TryRemove(replacement.Id, out _);
        }

        var args = RedisJobCodec.WriteArguments(_prefix, replacement, Ttl(replacement));
        args.Add(current.Version);
        AddLeaseArguments(args, replacement);
        var result = await Database.ScriptEvaluateAsync(RedisScripts.Replace, [JobKey(current.Id)], [.. args]).ConfigureAwait(false);
        if (result.IsNull)
        {
            return null;
        }

        var stored = (RedisResult[])result!;
        return replacement with { Sequence = (long)stored[0], Version = (long)stored[1] };
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveAsync(JobSnapshot current, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        var result = await Database.ScriptEvaluateAsync(RedisScripts.Remove, [JobKey(current.Id)], [_prefix, current.Id, current.Version]).ConfigureAwait(false);
        _held.TryRemove(current.Id, out _);
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async ValueTask<JobSnapshot?> ClaimNextAsync(IReadOnlyCollection<string> jobTypes, Func<JobSnapshot, JobSnapshot> start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobTypes);
        ArgumentNullException.ThrowIfNull(start);
        if (jobTypes.Count == 0)
        {
            return null;
        }

        RedisValue[] args = [_prefix, (long)_options.ClaimTimeout.TotalMilliseconds, .. jobTypes.Select(t => (RedisValue)t)];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await Database.ScriptEvaluateAsync(RedisScripts.Claim, [_claims], args).ConfigureAwait(false);
            if (result.IsNull)
            {
                return null;
            }

            // The script took the job out of its queue, so no other claimer sees it; the swap below still guards the
            // case where the job changed (or our claim timed out) in between.
            var fields = (RedisValue[])result!;
            if (fields[0].IsNull)
            {
                continue;
            }

            var job = RedisJobCodec.Read(fields[0], fields[1], fields[2]);
            JobSnapshot? claimed = null;
            try
            {
                claimed = await ReplaceAsync(job, start(job), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (claimed is null)
                {
                    await Database.ScriptEvaluateAsync(RedisScripts.Unclaim, [_claims], [_prefix, job.Id]).ConfigureAwait(false);
                }
            }

            if (claimed is not null)
            {
                if (claimed.RunId is { } runId)
                {
                    _held[claimed.Id] = runId;
                }

                return claimed;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<JobSnapshot>> RemoveExpiredAsync(DateTimeOffset now, int maxCount, CancellationToken cancellationToken = default)
    {
        if (maxCount <= 0)
        {
            return [];
        }

        var result = await Database.ScriptEvaluateAsync(
            RedisScripts.RemoveExpired,
            [_prefix + "idx:expiry"],
            [_prefix, RedisJobCodec.Micros(now), now.UtcTicks.ToString("D19", CultureInfo.InvariantCulture), maxCount]).ConfigureAwait(false);
        return RedisJobCodec.ReadTriples(result);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<JobSnapshot>> TrimFinishedAsync(int keep, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        var result = await Database.ScriptEvaluateAsync(RedisScripts.TrimFinished, [_prefix + "idx:completion"], [_prefix, keep]).ConfigureAwait(false);
        return RedisJobCodec.ReadTriples(result);
    }

    /// <inheritdoc />
    public async ValueTask<DateTimeOffset?> GetNextExpiryAsync(CancellationToken cancellationToken = default)
    {
        var result = await Database.ScriptEvaluateAsync(RedisScripts.NextExpiry, [_prefix + "idx:expiry"], [_prefix]).ConfigureAwait(false);
        if (result.IsNull)
        {
            return null;
        }

        var parts = (RedisValue[])result!;
        return parts[0] == "t"
            ? new DateTimeOffset((long)parts[1], TimeSpan.Zero)
            : RedisJobCodec.FromMicros((long)parts[1]);
    }

    /// <summary>Stops delivering changes to this store's subscribers; the connection stays open.</summary>
    public void Dispose()
    {
        ChannelMessageQueue? feed;
        lock (_lock)
        {
            feed = _feed;
            _feed = null;
        }

        _subscribers.Clear();
        if (feed is null)
        {
            return;
        }

        try
        {
            // Fire and forget: disposal never waits on (or fails for) an unreachable server.
            feed.Unsubscribe(CommandFlags.FireAndForget);
        }
        catch (ObjectDisposedException)
        {
            // The application disposed the connection first: its subscriptions went with it.
        }
    }

    internal RedisKey JobKey(string jobId) => _prefix + "job:" + jobId;

    private TimeSpan? Ttl(JobSnapshot job)
    {
        if (job.ExpiresAt is { } expiresAt)
        {
            var left = expiresAt - _timeProvider.GetUtcNow();
            return (left > TimeSpan.Zero ? left : TimeSpan.Zero) + _options.ExpiredRecordGrace;
        }

        return job.Status.IsTerminal() ? _options.ExpiredRecordGrace : null;
    }
}
