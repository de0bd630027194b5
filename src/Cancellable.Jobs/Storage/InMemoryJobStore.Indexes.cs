namespace Cancellable.Jobs.Storage;

/// <summary>
/// The store's ordered indexes: every job by sequence, by status, type, owner and tag (with counts per status), and
/// finished jobs by expiry and by completion.
/// </summary>
public sealed partial class InMemoryJobStore
{
    /// <summary>Moves a replaced job between the indexes its change affects.</summary>
    /// <remarks>
    /// Type, owner and tags never change in the lifecycle, so a transition usually moves the job between two status sets,
    /// adjusts its groups' counts and, once it finishes, adds it to the expiry and completion indexes; any other change
    /// re-indexes it in full.
    /// </remarks>
    private void Reindex(JobSnapshot before, JobSnapshot after)
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
            var key = new IndexKey(before.Sequence, before.Id);
            _byStatus[(int)before.Status].Remove(key);
            _byStatus[(int)after.Status].Add(key);
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
            SetTimed(_byExpiry, before.ExpiresAt, before, indexed: false);
            SetTimed(_byExpiry, after.ExpiresAt, after, indexed: true);
        }

        var completedBefore = before.Status.IsTerminal() ? before.CompletedAt : null;
        var completedAfter = after.Status.IsTerminal() ? after.CompletedAt : null;
        if (completedBefore != completedAfter)
        {
            SetTimed(_byCompletion, completedBefore, before, indexed: false);
            SetTimed(_byCompletion, completedAfter, after, indexed: true);
        }

        static void MoveCount(Dictionary<string, JobGroup> groups, string name, JobStatus from, JobStatus to)
        {
            var counts = groups[name].Counts;
            counts[(int)from]--;
            counts[(int)to]++;
        }
    }

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

    private static bool IndexedFieldsEqual(JobSnapshot a, JobSnapshot b) =>
        a.Status == b.Status
        && a.ExpiresAt == b.ExpiresAt
        && a.CompletedAt == b.CompletedAt
        && string.Equals(a.Type, b.Type, StringComparison.Ordinal)
        && string.Equals(a.Owner, b.Owner, StringComparison.Ordinal)
        && (ReferenceEquals(a.Tags, b.Tags) || a.Tags.SequenceEqual(b.Tags, StringComparer.Ordinal));

    private SortedSet<IndexKey>? SmallestCandidateSet(JobFilter filter)
    {
        var best = filter.Status is { } status ? _byStatus[(int)status] : _all;
        if (filter.Type is not null && !Narrow(_byType, filter.Type, ref best))
        {
            return null;
        }

        if (filter.Owner is not null && !Narrow(_byOwner, filter.Owner, ref best))
        {
            return null;
        }

        if (filter.Tag is not null && !Narrow(_byTag, filter.Tag, ref best))
        {
            return null;
        }

        return best;

        static bool Narrow(Dictionary<string, JobGroup> groups, string key, ref SortedSet<IndexKey> best)
        {
            if (!groups.TryGetValue(key, out var group))
            {
                return false;
            }

            if (group.Jobs.Count < best.Count)
            {
                best = group.Jobs;
            }

            return true;
        }
    }

    private void SetIndexed(JobSnapshot job, bool indexed)
    {
        var key = new IndexKey(job.Sequence, job.Id);
        Toggle(_all, key, indexed);
        Toggle(_byStatus[(int)job.Status], key, indexed);
        ToggleGroup(_byType, job.Type, key, job.Status, indexed);
        if (job.Owner is not null)
        {
            ToggleGroup(_byOwner, job.Owner, key, job.Status, indexed);
        }

        foreach (var tag in job.Tags)
        {
            ToggleGroup(_byTag, tag, key, job.Status, indexed);
        }

        SetTimed(_byExpiry, job.ExpiresAt, job, indexed);
        SetTimed(_byCompletion, job.Status.IsTerminal() ? job.CompletedAt : null, job, indexed);
    }

    private static void SetTimed(SortedSet<TimedKey> set, DateTimeOffset? time, JobSnapshot job, bool indexed)
    {
        if (time is { } at)
        {
            Toggle(set, new TimedKey(at, job.Sequence, job.Id), indexed);
        }
    }

    private static bool Toggle<T>(SortedSet<T> set, T key, bool add) => add ? set.Add(key) : set.Remove(key);

    private static void ToggleGroup(Dictionary<string, JobGroup> groups, string name, IndexKey key, JobStatus status, bool add)
    {
        if (!groups.TryGetValue(name, out var group))
        {
            if (!add)
            {
                return;
            }

            groups[name] = group = new JobGroup();
        }

        if (Toggle(group.Jobs, key, add))
        {
            group.Counts[(int)status] += add ? 1 : -1;
            if (group.Jobs.Count == 0)
            {
                groups.Remove(name);
            }
        }
    }

    /// <summary>The entry counts of the store's indexes.</summary>
    internal readonly record struct IndexCounts(int Jobs, int All, int ByStatus, int Groups, int GroupEntries, int ByExpiry, int ByCompletion);

    private sealed class JobGroup
    {
        public SortedSet<IndexKey> Jobs { get; } = new(IndexKey.Comparer);

        public int[] Counts { get; } = new int[StatusCount];
    }

    private readonly record struct IndexKey(long Sequence, string Id)
    {
        public static readonly Comparer<IndexKey> Comparer = Comparer<IndexKey>.Create(static (a, b) => a.Sequence.CompareTo(b.Sequence));
    }

    private readonly record struct TimedKey(DateTimeOffset Time, long Sequence, string Id)
    {
        public static readonly Comparer<TimedKey> Comparer = Comparer<TimedKey>.Create(static (a, b) =>
        {
            var byTime = a.Time.CompareTo(b.Time);
            return byTime != 0 ? byTime : a.Sequence.CompareTo(b.Sequence);
        });
    }
}
