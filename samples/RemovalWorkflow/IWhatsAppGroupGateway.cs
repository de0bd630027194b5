namespace RemovalWorkflow;

/// <summary>
/// What the removal jobs need from WhatsApp: list a group's members with their last activity, and remove one member.
/// </summary>
/// <remarks>
/// The samples use <see cref="SimulatedWhatsAppGroup"/>; a real app implements this over its WhatsApp client.
/// </remarks>
public interface IWhatsAppGroupGateway
{
    /// <summary>
    /// Gets the shortest delay between two removal batches this gateway allows. WhatsApp rate-limits removals, so a
    /// gateway to a real group returns 10 seconds (seed 001); the simulated group allows less.
    /// </summary>
    TimeSpan MinimumBatchDelay { get; }

    /// <summary>Lists the members of a group.</summary>
    /// <param name="groupWaId">The group's id, such as <c>120363403645737238@g.us</c>.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The members.</returns>
    /// <exception cref="InvalidOperationException">The group does not exist.</exception>
    Task<IReadOnlyList<GroupMember>> ListMembersAsync(string groupWaId, CancellationToken cancellationToken = default);

    /// <summary>Removes one member from a group.</summary>
    /// <param name="groupWaId">The group's id.</param>
    /// <param name="memberWaId">The member's id.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns><see langword="true"/> when the member was removed; <see langword="false"/> when it was not in the group.</returns>
    /// <exception cref="InvalidOperationException">The group does not exist.</exception>
    Task<bool> RemoveMemberAsync(string groupWaId, string memberWaId, CancellationToken cancellationToken = default);
}
