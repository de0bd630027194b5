using System.Collections.Concurrent;
using System.Globalization;

namespace Cancellable.Jobs.Storage;

/// <summary>
/// The default <see cref="IJobStore"/>: jobs live in this process's memory and are lost when it exits.
/// </summary>
/// <remarks>
/// Reads by id take no lock. Writes take one lock for the store, and keep ordered indexes by status, type, owner, tag,
/// expiry and completion, so that listing, counting and sweeping never scan every job.
/// </remarks>
public sealed partial class InMemoryJobStore : IJobStore
{
    private readonly object _lock = new();
    private readonly ConcurrentDictionary<string, JobSnapshot> _jobs = new(StringComparer.Ordinal);
    private readonly SortedSet<IndexKey> _all = new(IndexKey.Comparer);
    private readonly SortedSet<IndexKey>[] _byStatus = [.. Enumerable.Range(0, StatusCount).Select(_ => new SortedSet<IndexKey>(IndexKey.Comparer))];
    private readonly Dictionary<string, JobGroup> _byType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobGroup> _byOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobGroup> _byTag = new(StringComparer.Ordinal);
    private readonly SortedSet<TimedKey> _byExpiry = new(TimedKey.Comparer);
    private readonly SortedSet<TimedKey> _byCompletion = new(TimedKey.Comparer);
    private readonly JobChangeSubscribers _subscribers = new();
    private long _sequence;

    private const int StatusCount = (int)JobStatus.Cancelled + 1;

    /// <summary>Gets the number of jobs held.</summary>
    public int Count => _jobs.Count;

    /// <inheritdoc />
    public ValueTask<JobSnapshot?> CreateAsync(JobSnapshot job, int maxPendingJobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock)
        {
            if (_byStatus[(int)JobStatus.Pending].Count >= maxPendingJobs)
            {
                return new((JobSnapshot?)null);
            }

            if (_jobs.ContainsKey(job.Id))
            {
                throw new InvalidOperationException($"A job with id '{job.Id}' already exists.");
            }

            var stored = job with { Sequence = ++_sequence, Version = 1 };
            _jobs[stored.Id] = stored;
            SetIndexed(stored, indexed: true);
            _subscribers.Publish(new JobChange(JobChangeKind.Created, stored));
            return new(stored);
        }
    }

    /// <inheritdoc />
    public ValueTask<JobSnapshot?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return new(_jobs.TryGetValue(jobId, out var job) ? job : null);
    }

    /// <inheritdoc />
    public ValueTask<JobSnapshot?> ReplaceAsync(JobSnapshot current, JobSnapshot replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(replacement);
        if (!string.Equals(current.Id, replacement.Id, StringComparison.Ordinal))
        {
            throw new ArgumentException("A replacement must keep the job's id.", nameof(replacement));
        }

        lock (_lock)
        {
            return new(ReplaceCore(current, replacement));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(JobSnapshot current, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        lock (_lock)
        {
            if (!_jobs.TryGetValue(current.Id, out var stored) || stored.Version != current.Version)
            {
                return new(false);
            }

            RemoveCore(stored);
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<JobSnapshot?> ClaimNextAsync(IReadOnlyCollection<string> jobTypes, Func<JobSnapshot, JobSnapshot> start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobTypes);
        ArgumentNullException.ThrowIfNull(start);
        lock (_lock)
        {
            var pending = _byStatus[(int)JobStatus.Pending];
            if (pending.Count == 0)
            {
                return new((JobSnapshot?)null);
            }

            // The oldest pending job is nearly always claimable: take it without walking the set.
            var oldest = _jobs[pending.Min.Id];
            if (jobTypes.Contains(oldest.Type))
            {
                return new(ReplaceCore(oldest, start(oldest)));
            }

            foreach (var key in pending)
            {
                var job = _jobs[key.Id];
                if (jobTypes.Contains(job.Type))
                {
                    return new(ReplaceCore(job, start(job)));
                }
            }

            return new((JobSnapshot?)null);
        }
    }

    /// <inheritdoc />
    public ValueTask<JobPage> QueryAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var before = ParseContinuationToken(query.ContinuationToken);
        var items = new List<JobSnapshot>(Math.Min(query.PageSize, 64));
        var hasMore = false;
        lock (_lock)
        {
            var candidates = SmallestCandidateSet(query);
            if (candidates is not null && candidates.Count > 0 && before > long.MinValue)
            {
                var view = candidates.GetViewBetween(new IndexKey(long.MinValue, string.Empty), new IndexKey(before - 1, string.Empty));
                foreach (var key in view.Reverse())
                {
                    var job = _jobs[key.Id];
                    if (!query.Matches(job))
                    {
                        continue;
                    }

                    if (items.Count == query.PageSize)
                    {
                        hasMore = true;
                        break;
                    }

                    items.Add(job);
                }
            }
        }

        var token = hasMore ? items[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return new(new JobPage(items, token));
    }

    /// <inheritdoc />
    public ValueTask<JobStatistics> GetStatisticsAsync(JobGrouping groupBy, string? keyPrefix, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Span<int> overall = stackalloc int[StatusCount];
            for (var i = 0; i < StatusCount; i++)
            {
                overall[i] = _byStatus[i].Count;
            }

            var groups = new List<JobGroupStatistics>();
            var source = groupBy switch
            {
                JobGrouping.Type => _byType,
                JobGrouping.Owner => _byOwner,
                JobGrouping.Tag => _byTag,
                _ => null,
            };
            if (source is not null)
            {
                foreach (var (key, group) in source)
                {
                    if (keyPrefix is null || key.StartsWith(keyPrefix, StringComparison.Ordinal))
                    {
                        groups.Add(new JobGroupStatistics(key, JobStatusCounts.FromArray(group.Counts)));
                    }
                }

                groups.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            }

            return new(new JobStatistics(JobStatusCounts.FromArray(overall), groups));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<JobSnapshot>> RemoveExpiredAsync(DateTimeOffset now, int maxCount, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return new(RemoveWhile(_byExpiry, maxCount, key => key.Time <= now));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<JobSnapshot>> TrimFinishedAsync(int keep, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        lock (_lock)
        {
            return new(RemoveWhile(_byCompletion, _byCompletion.Count - keep, static _ => true));
        }
    }

    /// <inheritdoc />
    public ValueTask<DateTimeOffset?> GetNextExpiryAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return new(_byExpiry.Count == 0 ? null : _byExpiry.Min.Time);
        }
    }

    /// <inheritdoc />
    public IDisposable Subscribe(Action<JobChange> onChange) => _subscribers.Add(onChange);

    private static long ParseContinuationToken(string? token)
    {
        if (token is null)
        {
            return long.MaxValue;
        }

        if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence <= 0)
        {
            throw new ArgumentException($"'{token}' is not a continuation token of this store.", nameof(token));
        }

        return sequence;
    }

    private JobSnapshot? ReplaceCore(JobSnapshot current, JobSnapshot replacement)
    {
        if (!_jobs.TryGetValue(current.Id, out var stored) || stored.Version != current.Version)
        {
            return null;
        }

        // Transitions already carry the next version: keep such a replacement as it is rather than copy it once more.
        var updated = replacement.Sequence == stored.Sequence && replacement.Version == stored.Version + 1
            ? replacement
            : replacement with { Sequence = stored.Sequence, Version = stored.Version + 1 };
        Reindex(stored, updated);

        _jobs[updated.Id] = updated;
        _subscribers.Publish(new JobChange(JobChangeKind.Updated, updated));
        return updated;
    }

    private List<JobSnapshot> RemoveWhile(SortedSet<TimedKey> set, int maxCount, Func<TimedKey, bool> predicate)
    {
        var removed = new List<JobSnapshot>();
        while (removed.Count < maxCount && set.Count > 0 && predicate(set.Min))
        {
            var job = _jobs[set.Min.Id];
            RemoveCore(job);
            removed.Add(job);
        }

        return removed;
    }

    private void RemoveCore(JobSnapshot job)
    {
        _jobs.TryRemove(job.Id, out _);
        SetIndexed(job, indexed: false);
        _subscribers.Publish(new JobChange(JobChangeKind.Removed, job));
    }
}
