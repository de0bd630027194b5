namespace Cancellable.Jobs.Storage;

/// <summary>The enumerators, as structs so that a page or a claim allocates none.</summary>
internal sealed partial class ChunkedSortedSet<T, TComparer>
{
    /// <summary>Enumerates values smallest first.</summary>
    public struct Enumerator
    {
        private readonly Chunk[] _chunks;
        private readonly int _chunkCount;
        private int _chunk;
        private int _position;

        internal Enumerator(Chunk[] chunks, int chunkCount)
        {
            _chunks = chunks;
            _chunkCount = chunkCount;
            _position = -1;
        }

        /// <summary>Gets the current value.</summary>
        public readonly T Current => _chunks[_chunk].Items[_chunks[_chunk].Start + _position];

        /// <summary>Moves to the next value.</summary>
        /// <returns><see langword="false"/> past the last value.</returns>
        public bool MoveNext()
        {
            if (_chunk >= _chunkCount)
            {
                return false;
            }

            if (++_position < _chunks[_chunk].Count)
            {
                return true;
            }

            _position = 0;
            return ++_chunk < _chunkCount;
        }
    }

    /// <summary>Enumerates values largest first, from a start position.</summary>
    public struct DescendingEnumerator
    {
        private readonly Chunk[] _chunks;
        private int _chunk;
        private int _position;
        private bool _started;

        internal DescendingEnumerator(Chunk[] chunks, int chunk, int position)
        {
            _chunks = chunks;
            _chunk = chunk;
            _position = position;
        }

        /// <summary>Gets the current value.</summary>
        public readonly T Current => _chunks[_chunk].Items[_chunks[_chunk].Start + _position];

        /// <summary>Returns this enumerator, so that it can be used in <see langword="foreach"/>.</summary>
        /// <returns>This enumerator.</returns>
        public readonly DescendingEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next smaller value.</summary>
        /// <returns><see langword="false"/> past the smallest value.</returns>
        public bool MoveNext()
        {
            if (_chunk < 0)
            {
                return false;
            }

            if (!_started)
            {
                _started = true;
                return true;
            }

            if (--_position >= 0)
            {
                return true;
            }

            if (--_chunk < 0)
            {
                return false;
            }

            _position = _chunks[_chunk].Count - 1;
            return true;
        }
    }
}
