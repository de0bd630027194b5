namespace Cancellable.Jobs.Storage;

/// <summary>
/// The in-memory store's jobs by id: an open-addressing hash table of the stored entries (a <see cref="JobSnapshot"/>
/// for an active job, a <see cref="FinishedJob"/> for a finished one), read without a lock.
/// </summary>
/// <remarks>
/// <para>
/// A <see cref="System.Collections.Concurrent.ConcurrentDictionary{TKey, TValue}"/> spends a node of 48 to 64 bytes on
/// each job; here a job costs one slot of 16 bytes (the entry and its id's hash) at a load between a half and three
/// quarters. The hash beside the entry lets a probe pass the other jobs' slots without reading their entries, which at a
/// million jobs would each be a cache miss.
/// </para>
/// <para>
/// Writers hold the store's lock; a reader sees each slot's entry change as one reference write. A writer sets a slot's
/// hash before its entry, and a reader reads the entry before the hash, so that a reader that got an entry got its hash.
/// A removal leaves a marker, never moves an entry, so that a concurrent reader's probe cannot miss one; a resize fills a
/// new array and publishes it whole, and the old array is never written again.
/// </para>
/// </remarks>
internal sealed class JobIdTable
{
    private const int MinLength = 16;
    private static readonly object Removed = new();
    private Slot[] _slots = new Slot[MinLength];
    private int _count;
    private int _used;

    /// <summary>Gets the number of jobs held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Gets the entry for a key, without a lock.</summary>
    public object? Find(in JobKey key)
    {
        // The entry the probe matched, not a second read of its slot: a writer may have removed it in between.
        Probe(Volatile.Read(ref _slots), key, out var entry);
        return entry;
    }

    /// <summary>Adds the entry of a job the table does not hold; the caller holds the store's lock.</summary>
    public void Add(in JobKey key, object entry)
    {
        if ((_used + 1) * 4L > _slots.Length * 3L)
        {
            Resize(Math.Max(MinLength, (_count + 1) * 2));
        }

        var slots = _slots;
        var index = Start(key.Hash, slots.Length);
        var free = -1;
        while (slots[index].Entry is { } held)
        {
            if (free < 0 && ReferenceEquals(held, Removed))
            {
                free = index;
            }

            index = Next(index, slots.Length);
        }

        if (free < 0)
        {
            free = index;
            _used++;
        }

        Volatile.Write(ref slots[free].Hash, key.Hash);
        Volatile.Write(ref slots[free].Entry, entry);
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Replaces the entry of a job the table holds; the caller holds the store's lock.</summary>
    public void Replace(in JobKey key, object entry) => Volatile.Write(ref _slots[Probe(_slots, key, out _)].Entry, entry);

    /// <summary>Removes the entry of a job the table holds; the caller holds the store's lock.</summary>
    public void Remove(in JobKey key)
    {
        Volatile.Write(ref _slots[Probe(_slots, key, out _)].Entry, Removed);
        Volatile.Write(ref _count, _count - 1);
        if (_count * 8L < _slots.Length && _slots.Length > MinLength)
        {
            Resize(Math.Max(MinLength, _count * 2));
        }
    }

    /// <summary>Gets the key of a stored entry.</summary>
    public static JobKey KeyOf(object entry) => entry is FinishedJob finished ? finished.Key : JobKey.From(((JobSnapshot)entry).Id);

    private static int Start(int hash, int length) => (int)((ulong)(uint)hash * (ulong)length >> 32);

    private static int Next(int index, int length) => index + 1 == length ? 0 : index + 1;

    private static int Probe(Slot[] slots, in JobKey key, out object? found)
    {
        var index = Start(key.Hash, slots.Length);
        while (Volatile.Read(ref slots[index].Entry) is { } entry)
        {
            if (Volatile.Read(ref slots[index].Hash) == key.Hash
                && !ReferenceEquals(entry, Removed)
                && (entry is FinishedJob finished ? finished.Matches(key) : key.Matches(((JobSnapshot)entry).Id)))
            {
                found = entry;
                return index;
            }

            index = Next(index, slots.Length);
        }

        found = null;
        return -1;
    }

    private void Resize(int length)
    {
        var slots = new Slot[length];
        foreach (var slot in _slots)
        {
            if (slot.Entry is not null && !ReferenceEquals(slot.Entry, Removed))
            {
                var index = Start(slot.Hash, length);
                while (slots[index].Entry is not null)
                {
                    index = Next(index, length);
                }

                slots[index] = slot;
            }
        }

        _used = _count;
        Volatile.Write(ref _slots, slots);
    }

    private struct Slot
    {
        public object? Entry;
        public int Hash;
    }
}
