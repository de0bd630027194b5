using System.Runtime.CompilerServices;

namespace Cancellable.Jobs.Storage;

/// <summary>
/// An ordered set of small values kept in a list of sorted chunks (a two-level B+-tree), for the in-memory store's
/// indexes.
/// </summary>
/// <remarks>
/// <para>
/// A <see cref="SortedSet{T}"/> spends a node of about 56 bytes on each entry; here an entry costs its own size plus a
/// little slack. Lookups binary-search the chunk, then inside it; an insert or removal moves at most half a chunk.
/// Each chunk keeps free room at both ends, so that appending the largest value (sequences grow) and removing the smallest
/// (the oldest job is claimed or swept first) move nothing. A full chunk splits in two; a chunk that falls to a quarter
/// merges with a neighbour when both fit in three quarters of a chunk, and its array shrinks as it empties.
/// </para>
/// <para>Not thread-safe: the store uses it under its lock. Enumerators are invalid after any change.</para>
/// </remarks>
/// <typeparam name="T">The value; two values that compare equal are the same entry.</typeparam>
/// <typeparam name="TComparer">The order, as a struct so that comparisons inline.</typeparam>
internal sealed partial class ChunkedSortedSet<T, TComparer>
    where T : struct
    where TComparer : struct, IComparer<T>
{
    /// <summary>The default most values one chunk holds.</summary>
    public const int DefaultChunkLength = 256;

    private const int MinArrayLength = 4;
    private readonly int _maxChunkLength;
    private Chunk[] _chunks = [];
    private int _chunkCount;
    private int _lastChunk;
    private Chunk? _spare; // the last chunk that became empty, cleared: for the set's next value, or its next full chunk

    /// <summary>Initializes a new instance of the <see cref="ChunkedSortedSet{T, TComparer}"/> class.</summary>
    /// <param name="maxChunkLength">The most values one chunk holds: a power of two, at least 8.</param>
    public ChunkedSortedSet(int maxChunkLength = DefaultChunkLength)
    {
        if (maxChunkLength < 2 * MinArrayLength || (maxChunkLength & (maxChunkLength - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxChunkLength), maxChunkLength, "A chunk's length must be a power of two, at least 8.");
        }

        _maxChunkLength = maxChunkLength;
    }

    /// <summary>Gets the number of values held.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the number of chunks, for tests of splits and merges.</summary>
    internal int ChunkCount => _chunkCount;

    /// <summary>Gets the smallest value.</summary>
    /// <exception cref="InvalidOperationException">The set is empty.</exception>
    public T Min => _chunkCount == 0 ? throw new InvalidOperationException("The set is empty.") : _chunks[0].First;

    /// <summary>Gets the largest value.</summary>
    /// <exception cref="InvalidOperationException">The set is empty.</exception>
    public T Max => _chunkCount == 0 ? throw new InvalidOperationException("The set is empty.") : _chunks[_chunkCount - 1].Last;

    /// <summary>Adds a value unless an equal one is held.</summary>
    /// <param name="item">The value.</param>
    /// <returns><see langword="true"/> when added.</returns>
    public bool Add(T item)
    {
        if (_chunkCount == 0)
        {
            InsertChunk(0, _spare ?? new Chunk(new T[MinArrayLength]));
            _spare = null;
        }

        int index;
        int position;
        var last = _chunks[_chunkCount - 1];
        if (last.Count == 0 || Compare(item, last.Last) > 0)
        {
            // The common case: a new sequence is the largest. A full last chunk starts a new one rather than split, so
            // that values added in order fill their chunks; at full length at once, since more are coming (growing it
            // from the smallest length would copy each value about once more).
            index = _chunkCount - 1;
            position = last.Count;
            if (last.Count == _maxChunkLength)
            {
                // A set used as a queue (pending and running jobs: added at the end, taken from the front) empties a
                // full chunk at the front as often as it needs one at the end: take that one rather than make one.
                var next = _spare?.Items.Length == _maxChunkLength ? _spare : new Chunk(new T[_maxChunkLength]);
                if (ReferenceEquals(next, _spare))
                {
                    _spare = null;
                }

                InsertChunk(++index, next);
                position = 0;
            }
        }
        else
        {
            index = FindChunk(item);
            position = Search(_chunks[index], item);
            if (position >= 0)
            {
                return false;
            }

            position = ~position;
            if (_chunks[index].Count == _maxChunkLength)
            {
                var left = _chunks[index];
                var half = _maxChunkLength / 2;
                var right = new Chunk(new T[_maxChunkLength]) { Count = left.Count - half };
                Array.Copy(left.Items, left.Start + half, right.Items, 0, right.Count);
                ClearRange(left.Items, left.Start + half, right.Count);
                left.Count = half;
                InsertChunk(index + 1, right);
                if (position > half)
                {
                    index++;
                    position -= half;
                }
            }
        }

        InsertAt(_chunks[index], position, item);
        Count++;
        return true;
    }

    /// <summary>Removes the value equal to <paramref name="item"/>.</summary>
    /// <param name="item">The value.</param>
    /// <returns><see langword="true"/> when it was held.</returns>
    public bool Remove(T item)
    {
        if (_chunkCount == 0)
        {
            return false;
        }

        var index = FindChunk(item);
        var chunk = _chunks[index];
        var position = Search(chunk, item);
        if (position < 0)
        {
            return false;
        }

        RemoveAt(index, chunk, position);
        Count--;
        return true;
    }

    /// <summary>Gets a reference to the held value equal to <paramref name="item"/>, valid until the next change.</summary>
    /// <param name="item">The value to look for.</param>
    /// <returns>The reference, or a null reference when no equal value is held.</returns>
    public ref T GetValueRefOrNullRef(T item)
    {
        if (_chunkCount > 0)
        {
            var chunk = _chunks[FindChunk(item)];
            var position = Search(chunk, item);
            if (position >= 0)
            {
                return ref chunk.Items[chunk.Start + position];
            }
        }

        return ref Unsafe.NullRef<T>();
    }

    /// <summary>Enumerates the values smaller than <paramref name="bound"/>, largest first.</summary>
    /// <param name="bound">The exclusive upper bound.</param>
    /// <returns>The enumerator.</returns>
    public DescendingEnumerator DescendingBelow(T bound)
    {
        if (_chunkCount == 0 || Compare(_chunks[0].First, bound) >= 0)
        {
            return new DescendingEnumerator(_chunks, -1, 0);
        }

        // The last chunk whose first value is below the bound holds the start.
        int low = 0, high = _chunkCount - 1;
        while (low < high)
        {
            var middle = (low + high + 1) >> 1;
            if (Compare(_chunks[middle].First, bound) < 0)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        var position = Search(_chunks[low], bound);
        return new DescendingEnumerator(_chunks, low, (position >= 0 ? position : ~position) - 1);
    }

    /// <summary>Enumerates the values, smallest first.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(_chunks, _chunkCount);

    /// <summary>Checks the structure's invariants, for tests.</summary>
    /// <exception cref="InvalidOperationException">An invariant does not hold.</exception>
    internal void Validate()
    {
        var total = 0;
        for (var i = 0; i < _chunkCount; i++)
        {
            var chunk = _chunks[i];
            Check(chunk.Count > 0 && chunk.Count <= _maxChunkLength && chunk.Start >= 0 && chunk.Start + chunk.Count <= chunk.Items.Length, "chunk bounds");
            Check(chunk.Items.Length <= _maxChunkLength, "chunk length");
            for (var j = 1; j < chunk.Count; j++)
            {
                Check(Compare(chunk.Items[chunk.Start + j - 1], chunk.Items[chunk.Start + j]) < 0, "order inside a chunk");
            }

            Check(i == 0 || Compare(_chunks[i - 1].Last, chunk.First) < 0, "order across chunks");
            total += chunk.Count;
        }

        Check(total == Count, "count");

        static void Check(bool condition, string what)
        {
            if (!condition)
            {
                throw new InvalidOperationException($"Broken invariant: {what}.");
            }
        }
    }

    private static int Compare(T x, T y) => default(TComparer).Compare(x, y);

    private static int Search(Chunk chunk, T item)
    {
        var items = chunk.Items;
        int low = chunk.Start, high = chunk.Start + chunk.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) >> 1;
            var order = Compare(items[middle], item);
            if (order == 0)
            {
                return middle - chunk.Start;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~(low - chunk.Start);
    }

    private static void ClearRange(T[] items, int start, int length)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(items, start, length);
        }
    }

    /// <summary>Finds the last chunk whose first value is not above <paramref name="item"/>, or the first chunk.</summary>
    /// <remarks>
    /// The chunk found last is tried first: a page, a claim or a sweep looks up values in order, mostly in one chunk.
    /// </remarks>
    private int FindChunk(T item)
    {
        if (_lastChunk < _chunkCount)
        {
            var chunk = _chunks[_lastChunk];
            if (Compare(chunk.First, item) <= 0 && Compare(item, chunk.Last) <= 0)
            {
                return _lastChunk;
            }
        }

        int low = 0, high = _chunkCount - 1;
        while (low < high)
        {
            var middle = (low + high + 1) >> 1;
            if (Compare(_chunks[middle].First, item) <= 0)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        _lastChunk = low;
        return low;
    }
}
