namespace JobsModule.Web.Documents;

/// <summary>
/// Where processed chunks go (seed 003 writes them to its database; the sample keeps them in memory), so what a
/// stopped job already did can be seen. Thread-safe.
/// </summary>
public sealed class ChunkStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, SortedSet<int>> _chunks = new(StringComparer.Ordinal);

    /// <summary>Stores a processed chunk; storing it again changes nothing.</summary>
    /// <param name="documentId">The document.</param>
    /// <param name="chunk">The chunk's number, from 1.</param>
    public void Save(string documentId, int chunk)
    {
        lock (_lock)
        {
            if (!_chunks.TryGetValue(documentId, out var set))
            {
                set = [];
                _chunks[documentId] = set;
            }

            set.Add(chunk);
        }
    }

    /// <summary>Lists the chunks stored for a document.</summary>
    /// <param name="documentId">The document.</param>
    /// <returns>The chunk numbers, ascending.</returns>
    public IReadOnlyList<int> List(string documentId)
    {
        lock (_lock)
        {
            return _chunks.TryGetValue(documentId, out var set) ? [.. set] : [];
        }
    }
}
