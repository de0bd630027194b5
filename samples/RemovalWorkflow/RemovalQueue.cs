namespace RemovalWorkflow;

/// <summary>
/// The members waiting to be removed, per group, in the order they were queued. The sync step of
/// <c>removal_workflow</c> fills it; removing a member takes it out.
/// </summary>
/// <remarks>
/// Seed 001 keeps this queue in its database; the samples keep it in memory. All members are thread-safe.
/// </remarks>
public sealed class RemovalQueue
{
    private readonly object _lock = new();
    private readonly Dictionary<string, List<string>> _queues = new(StringComparer.Ordinal);

    /// <summary>Queues members for removal; members already queued keep their place.</summary>
    /// <param name="groupWaId">The group's id.</param>
    /// <param name="memberWaIds">The members to queue.</param>
    /// <returns>How many members were newly queued.</returns>
    public int Enqueue(string groupWaId, IEnumerable<string> memberWaIds)
    {
        ArgumentNullException.ThrowIfNull(memberWaIds);
        lock (_lock)
        {
            var queue = Get(groupWaId);
            var added = 0;
            foreach (var id in memberWaIds)
            {
                if (!queue.Contains(id))
                {
                    queue.Add(id);
                    added++;
                }
            }

            return added;
        }
    }

    /// <summary>Lists the members queued for a group, oldest first.</summary>
    /// <param name="groupWaId">The group's id.</param>
    /// <returns>A copy of the queue.</returns>
    public IReadOnlyList<string> List(string groupWaId)
    {
        lock (_lock)
        {
            return [.. Get(groupWaId)];
        }
    }

    /// <summary>Takes a member out of the queue once it was removed from the group.</summary>
    /// <param name="groupWaId">The group's id.</param>
    /// <param name="memberWaId">The member's id.</param>
    /// <returns><see langword="true"/> when the member was queued.</returns>
    public bool Dequeue(string groupWaId, string memberWaId)
    {
        lock (_lock)
        {
            return Get(groupWaId).Remove(memberWaId);
        }
    }

    private List<string> Get(string groupWaId)
    {
        ArgumentNullException.ThrowIfNull(groupWaId);
        if (!_queues.TryGetValue(groupWaId, out var queue))
        {
            queue = [];
            _queues[groupWaId] = queue;
        }

        return queue;
    }
}
