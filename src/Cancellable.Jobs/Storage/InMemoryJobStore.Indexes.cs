namespace Cancellable.Jobs.Storage;

/// <summary>
/// The store's ordered indexes: every job by sequence, by status, type, owner and tag (with counts per status), and
/// finished jobs by expiry and by completion.
/// </summary>
/// <remarks>
/// Every index is a <see cref="ChunkedSortedSet{T, TComparer}"/> of sequences (or of expiry or completion ticks and
/// sequences), 8 or 16 bytes an entry; only the index of every job holds the stored entries, which the others reach by
/// sequence.
/// </remarks>
public sealed partial class InMemoryJobStore
{
    /// <summary>Gets the number of subscribers to the store's changes.</summary>
    internal int SubscriberCount => _subscribers.Count;

    /// <summary>Counts the entries of every index, so that leak tests can check they follow the jobs held.</summary>
    internal IndexCounts GetIndexCounts()
    {
        lock (_lock)
        {
            return new IndexCounts(
                _jobs.Count,
                _all.Count,
                _byStatus.Sum(s => s.Count),
                _byType.Count + _byOwner.Count + _byTag.Count,
                _byType.Values.Concat(_byOwner.Values).Concat(_byTag.Values).Sum(g => g.Jobs.Count),
                _byExpiry.Count,
                _byCompletion.Count);
        }
    }

    /// <summary>Moves a replaced job between the indexes its change affects.</summary>
    /// <remarks>
    /// Type, owner and tags never change in the lifecycle, so a transition usually moves the job between two status sets,
    /// adjusts its groups' counts and, once it finishes, adds it to the expiry and completion indexes; any other change
    /// re-indexes it in full.
    /// </remarks>
    private void Reindex(in IndexedFields before, in IndexedFields after)
    {
        if (!string.Equals(before.Type, after.Type, StringComparison.Ordinal)
            || !string.Equals(before.Owner, after.Owner, StringComparison.Ordinal)
            || !(ReferenceEquals(before.Tags, after.Tags) || before.Tags.SequenceEqual(after.Tags, StringComparer.Ordinal)))
        {
            SetIndexed(before, indexed: false);
            SetIndexed(after, indexed: true);
            return;
        }

        if (before.Status != after.Status)
        {
            _byStatus[(int)before.Status].Remove(before.Sequence);
            _byStatus[(int)after.Status].Add(after.Sequence);
            MoveCount(_byType, before.Type, before.Status, after.Status);
            if (before.Owner is not null)
            {
                MoveCount(_byOwner, before.Owner, before.Status, after.Status);
            }

            foreach (var tag in before.Tags)
            {
                MoveCount(_byTag, tag, before.Status, after.Status);
            }
        }

        if (before.ExpiresAt != after.ExpiresAt)
        {
            SetTimed(_byExpiry, before.ExpiresAt, before.Sequence, indexed: false);
            SetTimed(_byExpiry, after.ExpiresAt, after.Sequence, indexed: true);
        }

        if (before.CompletedAt != after.CompletedAt)
        {
            SetTimed(_byCompletion, before.CompletedAt, before.Sequence, indexed: false);
            SetTimed(_byCompletion, after.CompletedAt, after.Sequence, indexed: true);
        }

        static void MoveCount(Dictionary<string, JobGroup> groups, string name, JobStatus from, JobStatus to)
        {
            var counts = groups[name].Counts;
            counts[(int)from]--;
            counts[(int)to]++;
        }
    }

    private static string Intern(Dictionary<string, JobGroup> groups, string name) =>
        groups.TryGetValue(name, out var group) ? group.Name : name;

    private static void SetTimed(ChunkedSortedSet<TimedSequence, TimedSequence.Order> set, long? ticks, long sequence, bool indexed)
    {
        if (ticks is { } at)
        {
            var key = new TimedSequence(at, sequence);
            _ = indexed ? set.Add(key) : set.Remove(key);
        }
    }

    private static void ToggleGroup(Dictionary<string, JobGroup> groups, string name, long sequence, JobStatus status, bool add)
    {
        if (!groups.TryGetValue(name, out var group))
        {
            if (!add)
            {
                return;
            }

            groups[name] = group = new JobGroup(name);
        }

        if (add ? group.Jobs.Add(sequence) : group.Jobs.Remove(sequence))
        {
            group.Counts[(int)status] += add ? 1 : -1;
            if (group.Jobs.Count == 0)
            {
                groups.Remove(name);
            }
        }
    }

    /// <summary>Gets the tags with each one the tag index already holds replaced by the index's string.</summary>
    private IReadOnlyList<string> InternTags(IReadOnlyList<string> tags)
    {
        string[]? interned = null;
        for (var i = 0; i < tags.Count; i++)
        {
            if (_byTag.TryGetValue(tags[i], out var group) && !ReferenceEquals(group.Name, tags[i]))
            {
                interned ??= [.. tags];
                interned[i] = group.Name;
            }
        }

        return interned ?? tags;
    }

    private bool TryNarrow(JobFilter filter, out ChunkedSortedSet<long, SequenceOrder>? best)
    {
        best = filter.Status is { } status ? _byStatus[(int)status] : null;
        var count = best?.Count ?? _all.Count;
        return (filter.Type is null || Narrow(_byType, filter.Type, ref best, ref count))
            && (filter.Owner is null || Narrow(_byOwner, filter.Owner, ref best, ref count))
            && (filter.Tag is null || Narrow(_byTag, filter.Tag, ref best, ref count));

        static bool Narrow(Dictionary<string, JobGroup> groups, string key, ref ChunkedSortedSet<long, SequenceOrder>? best, ref int count)
        {
            if (!groups.TryGetValue(key, out var group))
            {
                return false;
            }

            if (group.Jobs.Count < count)
            {
                best = group.Jobs;
                count = group.Jobs.Count;
            }

            return true;
        }
    }

    private void SetIndexed(in IndexedFields job, bool indexed)
    {
        _ = indexed ? _byStatus[(int)job.Status].Add(job.Sequence) : _byStatus[(int)job.Status].Remove(job.Sequence);
        ToggleGroup(_byType, job.Type, job.Sequence, job.Status, indexed);
        if (job.Owner is not null)
        {
            ToggleGroup(_byOwner, job.Owner, job.Sequence, job.Status, indexed);
        }

        foreach (var tag in job.Tags)
        {
            ToggleGroup(_byTag, tag, job.Sequence, job.Status, indexed);
        }

        SetTimed(_byExpiry, job.ExpiresAt, job.Sequence, indexed);
        SetTimed(_byCompletion, job.CompletedAt, job.Sequence, indexed);
    }

    /// <summary>The entry counts of the store's indexes.</summary>
    internal readonly record struct IndexCounts(int Jobs, int All, int ByStatus, int Groups, int GroupEntries, int ByExpiry, int ByCompletion);

    /// <summary>What the indexes know of a job, in ticks; a job that is not finished has no completion.</summary>
    private readonly record struct IndexedFields(long Sequence, JobStatus Status, string Type, string? Owner, IReadOnlyList<string> Tags, long? ExpiresAt, long? CompletedAt)
    {
        public static IndexedFields Of(JobSnapshot job) => new(
            job.Sequence, job.Status, job.Type, job.Owner, job.Tags, job.ExpiresAt?.UtcTicks, job.Status.IsTerminal() ? job.CompletedAt?.UtcTicks : null);

        public static IndexedFields Of(object entry) => entry is FinishedJob finished
            ? new(finished.Sequence, finished.Status, finished.Type, finished.Owner, finished.Tags, finished.ExpiresAtTicks, finished.CompletedAtTicks)
            : Of((JobSnapshot)entry);
    }

    private sealed class JobGroup(string name)
    {
        public string Name { get; } = name;

        public ChunkedSortedSet<long, SequenceOrder> Jobs { get; } = new();

        public int[] Counts { get; } = new int[StatusCount];
    }

    private readonly struct SequenceOrder : IComparer<long>
    {
        public int Compare(long x, long y) => x.CompareTo(y);
    }

    /// <summary>A stored entry (a <see cref="JobSnapshot"/> or a <see cref="FinishedJob"/>) by its sequence.</summary>
    private readonly record struct SequencedEntry(long Sequence, object? Entry)
    {
        public readonly struct Order : IComparer<SequencedEntry>
        {
            public int Compare(SequencedEntry x, SequencedEntry y) => x.Sequence.CompareTo(y.Sequence);
        }
    }

    private readonly record struct TimedSequence(long Ticks, long Sequence)
    {
        public readonly struct Order : IComparer<TimedSequence>
        {
            public int Compare(TimedSequence x, TimedSequence y)
            {
                var byTime = x.Ticks.CompareTo(y.Ticks);
                return byTime != 0 ? byTime : x.Sequence.CompareTo(y.Sequence);
            }
        }
    }
}
