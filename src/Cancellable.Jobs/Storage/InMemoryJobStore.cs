using System.Globalization;

namespace Cancellable.Jobs.Storage;

/// <summary>
/// The default <see cref="IJobStore"/>: jobs live in this process's memory and are lost when it exits.
/// </summary>
/// <remarks>
/// Reads by id take no lock. Writes take one lock for the store, and keep ordered indexes by status, type, owner, tag,
/// expiry and completion, so that listing, counting and sweeping never scan every job. A finished job is kept in a
/// compact form (about a third of a snapshot) and turned back into an equal snapshot when read.
/// </remarks>
public sealed partial class InMemoryJobStore : IJobStore
{
    private readonly object _lock = new();
    private readonly JobIdTable _jobs = new();
    private readonly ChunkedSortedSet<SequencedEntry, SequencedEntry.Order> _all = new();
    private readonly ChunkedSortedSet<long, SequenceOrder>[] _byStatus = [.. Enumerable.Range(0, StatusCount).Select(_ => new ChunkedSortedSet<long, SequenceOrder>())];
    private readonly Dictionary<string, JobGroup> _byType = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobGroup> _byOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobGroup> _byTag = new(StringComparer.Ordinal);
    private readonly ChunkedSortedSet<TimedSequence, TimedSequence.Order> _byExpiry = new();
    private readonly ChunkedSortedSet<TimedSequence, TimedSequence.Order> _byCompletion = new();
    private readonly JobChangeSubscribers _subscribers = new();
    private long _sequence;

    private const int StatusCount = (int)JobStatus.Cancelled + 1;

    /// <summary>Gets the number of jobs held.</summary>
    public int Count => _jobs.Count;

    /// <inheritdoc />
    public ValueTask<JobSnapshot?> CreateAsync(JobSnapshot job, int maxPendingJobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new(Create(job, maxPendingJobs, adopt: false));
    }

    /// <summary>
    /// Creates <paramref name="job"/>, keeping that very instance as the stored record: for the job manager, which made
    /// it for this call and keeps no other reference to it (any other caller's snapshot is copied).
    /// </summary>
    internal JobSnapshot? CreateOwned(JobSnapshot job, int maxPendingJobs) => Create(job, maxPendingJobs, adopt: true);

    private JobSnapshot? Create(JobSnapshot job, int maxPendingJobs, bool adopt)
    {
        // What needs no lock is done before taking it, so that the lock is held briefly and allocates little.
        var key = JobKey.From(job.Id);
        var fresh = adopt ? job : job with { Version = 1 };
        var change = new JobChange(JobChangeKind.Created, fresh);
        lock (_lock)
        {
            if (_byStatus[(int)JobStatus.Pending].Count >= maxPendingJobs)
            {
                return null;
            }

            if (_jobs.Find(key) is not null)
            {
                throw new InvalidOperationException($"A job with id '{job.Id}' already exists.");
            }

            // The stored job points at the indexes' strings, so that a type, owner or tag is kept once however many jobs
            // name it.
            fresh.AssignStoreFields(
                ++_sequence,
                Intern(_byType, job.Type),
                job.Owner is null ? null : Intern(_byOwner, job.Owner),
                InternTags(job.Tags));
            var indexed = IndexedFields.Of(fresh);
            SetIndexed(indexed, indexed: true);
            _all.Add(new SequencedEntry(fresh.Sequence, fresh));
            _jobs.Add(key, fresh);
            _subscribers.Publish(change);
            return fresh;
        }
    }

    /// <inheritdoc />
    public ValueTask<JobSnapshot?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return new(_jobs.Find(JobKey.From(jobId)) switch
        {
            null => null,
            FinishedJob finished => finished.ToSnapshot(jobId),
            var active => (JobSnapshot)active,
        });
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

        // A replacement that carries the next version is stored as it is: its entry and change are made before taking the
        // lock, so that the lock is held briefly and allocates little.
        var prepared = replacement.Version == current.Version + 1 && replacement.Sequence == current.Sequence
            ? new Prepared(ToEntryUninterned(replacement), new JobChange(JobChangeKind.Updated, replacement) { PreviousStatus = current.Status })
            : (Prepared?)null;
        lock (_lock)
        {
            return new(ReplaceCore(current, replacement, prepared));
        }
    }

    /// <summary>
    /// Applies <paramref name="transition"/> to the current record of each item's job and stores the result, under one
    /// acquisition of the lock: for the runner, which writes the ends of the runs that finished meanwhile together.
    /// </summary>
    /// <param name="items">What each transition is applied for.</param>
    /// <param name="idOf">The id of an item's job.</param>
    /// <param name="transition">Makes the job's next record from its current one, or null to leave it as it is.</param>
    /// <param name="updated">
    /// Receives, at each item's index, the job as stored, or null where there was no job or the transition refused it.
    /// Should a transition throw, the items from that one on keep what <paramref name="updated"/> held.
    /// </param>
    internal void UpdateEach<TItem>(ReadOnlySpan<TItem> items, Func<TItem, string> idOf, Func<JobSnapshot, TItem, JobSnapshot?> transition, Span<JobSnapshot?> updated)
    {
        lock (_lock)
        {
            for (var i = 0; i < items.Length; i++)
            {
                // An active job is held as its snapshot (the record found is the current one); a finished one takes no
                // further transition.
                var key = JobKey.From(idOf(items[i]));
                updated[i] = _jobs.Find(key) is JobSnapshot current && transition(current, items[i]) is { } next
                    ? ReplaceStored(key, current, current, next, prepared: null)
                    : null;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(JobSnapshot current, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        lock (_lock)
        {
            if (_jobs.Find(JobKey.From(current.Id)) is not { } stored || VersionOf(stored) != current.Version)
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
            return new(ClaimOne(jobTypes, start));
        }
    }

    /// <summary>
    /// Claims up to <paramref name="claimed"/>'s length of the oldest pending jobs of <paramref name="jobTypes"/> under
    /// one acquisition of the lock, as <see cref="ClaimNextAsync"/> claims one: for the runner, which takes as many jobs
    /// as it has free slots.
    /// </summary>
    /// <returns>How many were claimed, oldest first, into the start of <paramref name="claimed"/>.</returns>
    internal int ClaimNext(IReadOnlyCollection<string> jobTypes, Func<JobSnapshot, JobSnapshot> start, Span<JobSnapshot?> claimed)
    {
        var count = 0;
        lock (_lock)
        {
            while (count < claimed.Length && ClaimOne(jobTypes, start) is { } job)
            {
                claimed[count++] = job;
            }
        }

        return count;
    }

    private JobSnapshot? ClaimOne(IReadOnlyCollection<string> jobTypes, Func<JobSnapshot, JobSnapshot> start)
    {
        var pending = _byStatus[(int)JobStatus.Pending];
        if (pending.Count == 0)
        {
            return null;
        }

        // The oldest pending job is nearly always claimable: take it without walking the set. Pending jobs are active,
        // so they are held as snapshots.
        var claimed = (JobSnapshot)EntryAt(pending.Min);
        if (!jobTypes.Contains(claimed.Type))
        {
            claimed = null;
            foreach (var sequence in pending)
            {
                var job = (JobSnapshot)EntryAt(sequence);
                if (jobTypes.Contains(job.Type))
                {
                    claimed = job;
                    break;
                }
            }
        }

        return claimed is null ? null : ReplaceCore(claimed, start(claimed), prepared: null);
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
            if (TryNarrow(query, out var candidates))
            {
                if (candidates is null)
                {
                    foreach (var job in _all.DescendingBelow(new SequencedEntry(before, null)))
                    {
                        if (!Offer(job.Entry!, query, items, ref hasMore))
                        {
                            break;
                        }
                    }
                }
                else
                {
                    foreach (var sequence in candidates.DescendingBelow(before))
                    {
                        if (!Offer(EntryAt(sequence), query, items, ref hasMore))
                        {
                            break;
                        }
                    }
                }
            }
        }

        var token = hasMore ? items[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null;
        return new(new JobPage(items, token));

        static bool Offer(object entry, JobQuery query, List<JobSnapshot> items, ref bool hasMore)
        {
            if (!(entry is FinishedJob finished ? finished.Matches(query) : query.Matches((JobSnapshot)entry)))
            {
                return true;
            }

            if (items.Count == query.PageSize)
            {
                hasMore = true;
                return false;
            }

            items.Add(ToSnapshot(entry));
            return true;
        }
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
        var removed = new List<JobSnapshot>();
        var due = now.UtcTicks;
        lock (_lock)
        {
            while (removed.Count < maxCount && _byExpiry.Count > 0 && _byExpiry.Min.Ticks <= due)
            {
                removed.Add(RemoveCore(EntryAt(_byExpiry.Min.Sequence)));
            }
        }

        return new(removed);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<JobSnapshot>> TrimFinishedAsync(int keep, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        var removed = new List<JobSnapshot>();
        lock (_lock)
        {
            while (_byCompletion.Count > keep)
            {
                removed.Add(RemoveCore(EntryAt(_byCompletion.Min.Sequence)));
            }
        }

        return new(removed);
    }

    /// <inheritdoc />
    public ValueTask<DateTimeOffset?> GetNextExpiryAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return new(_byExpiry.Count == 0 ? null : new DateTimeOffset(_byExpiry.Min.Ticks, TimeSpan.Zero));
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

    private JobSnapshot? ReplaceCore(JobSnapshot current, JobSnapshot replacement, Prepared? prepared)
    {
        var key = JobKey.From(current.Id);
        return _jobs.Find(key) is { } stored && VersionOf(stored) == current.Version ? ReplaceStored(key, stored, current, replacement, prepared) : null;
    }

    /// <summary>
    /// Replaces <paramref name="stored"/>, the entry found under <paramref name="key"/> at <paramref name="current"/>'s
    /// version: <paramref name="current"/> is the record it holds, so its status is the change's previous status.
    /// </summary>
    private JobSnapshot ReplaceStored(JobKey key, object stored, JobSnapshot current, JobSnapshot replacement, Prepared? prepared)
    {
        // Transitions already carry the next version: keep such a replacement as it is rather than copy it once more.
        var sequence = SequenceOf(stored);
        var updated = replacement.Sequence == sequence && replacement.Version == current.Version + 1
            ? replacement
            : replacement with { Sequence = sequence, Version = current.Version + 1 };
        Reindex(IndexedFields.Of(stored), IndexedFields.Of(updated));

        // What was made before the lock fits only a replacement kept as it is. A finished job's compact form points at the
        // replacement's strings: kept when they are the index's (a transition keeps the stored job's), made again otherwise.
        var ready = ReferenceEquals(updated, replacement) ? prepared : null;
        var entry = ready is { } made && (made.Entry is not FinishedJob || SharesIndexStrings(updated)) ? made.Entry : ToEntry(updated);
        _jobs.Replace(key, entry);
        EntryRefAt(sequence) = new SequencedEntry(sequence, entry);
        _subscribers.Publish(ready?.Change ?? new JobChange(JobChangeKind.Updated, updated) { PreviousStatus = current.Status });
        return updated;
    }

    private JobSnapshot RemoveCore(object entry)
    {
        var job = ToSnapshot(entry);
        _jobs.Remove(JobIdTable.KeyOf(entry));
        _all.Remove(new SequencedEntry(job.Sequence, null));
        SetIndexed(IndexedFields.Of(entry), indexed: false);
        _subscribers.Publish(new JobChange(JobChangeKind.Removed, job));
        return job;
    }
}
