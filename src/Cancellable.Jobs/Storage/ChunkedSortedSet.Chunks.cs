using System.Numerics;

namespace Cancellable.Jobs.Storage;

/// <summary>The chunks' upkeep: room for an insert, splits, merges and shrinking.</summary>
internal sealed partial class ChunkedSortedSet<T, TComparer>
{
    private void InsertAt(Chunk chunk, int position, T item)
    {
        var items = chunk.Items;
        if (chunk.Count == items.Length)
        {
            var grown = new T[Math.Min(items.Length * 2, _maxChunkLength)];
            Array.Copy(items, chunk.Start, grown, 0, position);
            Array.Copy(items, chunk.Start + position, grown, position + 1, chunk.Count - position);
            chunk.Items = items = grown;
            chunk.Start = 0;
        }
        else if (chunk.Start > 0 && (position < chunk.Count / 2 || chunk.Start + chunk.Count == items.Length))
        {
            Array.Copy(items, chunk.Start, items, chunk.Start - 1, position);
            chunk.Start--;
        }
        else
        {
            Array.Copy(items, chunk.Start + position, items, chunk.Start + position + 1, chunk.Count - position);
        }

        items[chunk.Start + position] = item;
        chunk.Count++;
    }

    private void RemoveAt(int index, Chunk chunk, int position)
    {
        var items = chunk.Items;
        if (position < chunk.Count / 2)
        {
            Array.Copy(items, chunk.Start, items, chunk.Start + 1, position);
            ClearRange(items, chunk.Start, 1);
            chunk.Start++;
        }
        else
        {
            Array.Copy(items, chunk.Start + position + 1, items, chunk.Start + position, chunk.Count - position - 1);
            ClearRange(items, chunk.Start + chunk.Count - 1, 1);
        }

        chunk.Count--;
        if (chunk.Count == 0)
        {
            RemoveChunk(index);
            return;
        }

        if (chunk.Count <= _maxChunkLength / 4 && TryMerge(index))
        {
            return;
        }

        // The first chunk is not shrunk: in a set used as a queue it drains from the front and, once empty, is kept for the
        // next full chunk at the end (shrinking it on the way would make a new array at each halving).
        if (index > 0 && chunk.Count <= items.Length / 4 && items.Length > MinArrayLength)
        {
            Resize(chunk, items.Length / 2);
        }
    }

    /// <summary>Merges a small chunk into its smaller neighbour when both fit in three quarters of a chunk.</summary>
    private bool TryMerge(int index)
    {
        var left = index;
        if (index > 0 && (index == _chunkCount - 1 || _chunks[index - 1].Count <= _chunks[index + 1].Count))
        {
            left = index - 1;
        }
        else if (index == _chunkCount - 1)
        {
            return false;
        }

        var first = _chunks[left];
        var second = _chunks[left + 1];
        var total = first.Count + second.Count;
        if (total > _maxChunkLength * 3 / 4)
        {
            return false;
        }

        if (first.Items.Length < total)
        {
            Resize(first, Math.Max(MinArrayLength, (int)BitOperations.RoundUpToPowerOf2((uint)total)));
        }
        else if (first.Start + total > first.Items.Length)
        {
            Array.Copy(first.Items, first.Start, first.Items, 0, first.Count);
            ClearRange(first.Items, Math.Max(first.Count, first.Start), first.Start + first.Count - Math.Max(first.Count, first.Start));
            first.Start = 0;
        }

        Array.Copy(second.Items, second.Start, first.Items, first.Start + first.Count, second.Count);
        first.Count = total;
        RemoveChunk(left + 1);
        return true;
    }

    private static void Resize(Chunk chunk, int length)
    {
        var resized = new T[length];
        Array.Copy(chunk.Items, chunk.Start, resized, 0, chunk.Count);
        chunk.Items = resized;
        chunk.Start = 0;
    }

    private void InsertChunk(int index, Chunk chunk)
    {
        if (_chunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, Math.Max(1, _chunkCount * 2));
        }

        Array.Copy(_chunks, index, _chunks, index + 1, _chunkCount - index);
        _chunks[index] = chunk;
        _chunkCount++;
    }

    private void RemoveChunk(int index)
    {
        // A chunk emptied by removals (its values are cleared; one merged into its neighbour still holds them) is kept for
        // the set's next value when the set is empty now (a set that holds one job at a time, such as a status of a quiet
        // app, would make a chunk per job), or for the next full chunk at the end.
        var emptied = _chunks[index];
        if (emptied.Count == 0 && (_chunkCount == 1 || (_spare is null && emptied.Items.Length == _maxChunkLength)))
        {
            _spare = emptied;
            _spare.Start = 0;
        }

        _chunkCount--;
        Array.Copy(_chunks, index + 1, _chunks, index, _chunkCount - index);
        _chunks[_chunkCount] = null!;
        if (_chunkCount <= _chunks.Length / 4 && _chunks.Length > 4)
        {
            Array.Resize(ref _chunks, _chunks.Length / 2);
        }
    }

    /// <summary>A run of sorted values in <see cref="Items"/>, from <see cref="Start"/>, with free room on both sides.</summary>
    internal sealed class Chunk(T[] items)
    {
        public T[] Items { get; set; } = items;

        public int Start { get; set; }

        public int Count { get; set; }

        public T First => Items[Start];

        public T Last => Items[Start + Count - 1];
    }
}
