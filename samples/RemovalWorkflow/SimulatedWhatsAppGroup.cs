namespace RemovalWorkflow;

/// <summary>
/// A deterministic in-memory WhatsApp group: the same options always give the same members and last-activity times.
/// </summary>
/// <remarks>
/// Member <c>i</c> (from 0) is <c>4917000{i:D5}@lid</c>. Inactive members last wrote 31 to 60 days before the group
/// was created, active ones within the last 7 days, so a 30-day inactivity window (seed 001's) finds exactly the
/// inactive share.
/// </remarks>
public sealed class SimulatedWhatsAppGroup : IWhatsAppGroupGateway
{
    /// <summary>How long an inactive member has been silent at least, when the group is created.</summary>
    public static readonly TimeSpan InactiveAfter = TimeSpan.FromDays(31);

    private readonly object _lock = new();
    private readonly List<GroupMember> _members;
    private readonly List<string> _removed = [];

    /// <summary>Initializes a new instance of the <see cref="SimulatedWhatsAppGroup"/> class.</summary>
    /// <param name="options">The group's shape.</param>
    /// <param name="timeProvider">The clock that last-activity times are relative to.</param>
    /// <exception cref="ArgumentOutOfRangeException">The member count is negative or the inactive share is not in [0, 1].</exception>
    public SimulatedWhatsAppGroup(SimulatedGroupOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MemberCount);
        if (!(options.InactiveShare >= 0 && options.InactiveShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.InactiveShare, "The inactive share must be in [0, 1].");
        }

        GroupWaId = options.GroupWaId;
        MinimumBatchDelay = options.MinimumBatchDelay;
        var now = timeProvider.GetUtcNow();
        _members = new List<GroupMember>(options.MemberCount);
        for (var i = 0; i < options.MemberCount; i++)
        {
            var lastActive = IsInactive(i, options.InactiveShare)
                ? now - InactiveAfter - TimeSpan.FromDays(i % 30)
                : now - TimeSpan.FromDays(i % 7) - TimeSpan.FromMinutes(i);
            _members.Add(new GroupMember($"4917000{i:D5}@lid", lastActive));
        }
    }

    /// <summary>Gets the group's id.</summary>
    public string GroupWaId { get; }

    /// <inheritdoc />
    public TimeSpan MinimumBatchDelay { get; }

    /// <summary>Gets the members still in the group.</summary>
    public IReadOnlyList<GroupMember> Members
    {
        get
        {
            lock (_lock)
            {
                return [.. _members];
            }
        }
    }

    /// <summary>Gets the ids of the members removed so far, in the order they were removed.</summary>
    public IReadOnlyList<string> RemovedMemberIds
    {
        get
        {
            lock (_lock)
            {
                return [.. _removed];
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<GroupMember>> ListMembersAsync(string groupWaId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureGroup(groupWaId);
        return Task.FromResult(Members);
    }

    /// <inheritdoc />
    public Task<bool> RemoveMemberAsync(string groupWaId, string memberWaId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureGroup(groupWaId);
        lock (_lock)
        {
            var index = _members.FindIndex(m => m.WaId == memberWaId);
            if (index < 0)
            {
                return Task.FromResult(false);
            }

            _members.RemoveAt(index);
            _removed.Add(memberWaId);
            return Task.FromResult(true);
        }
    }

    /// <summary>Spreads floor(count × share) inactive members evenly: member i is inactive when the running total steps up.</summary>
    private static bool IsInactive(int index, double share) => Math.Floor((index + 1) * share) > Math.Floor(index * share);

    private void EnsureGroup(string groupWaId)
    {
        if (!string.Equals(groupWaId, GroupWaId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The group '{groupWaId}' does not exist; the simulated group is '{GroupWaId}'.");
        }
    }
}
