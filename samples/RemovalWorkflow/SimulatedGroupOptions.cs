namespace RemovalWorkflow;

/// <summary>
/// The shape of a <see cref="SimulatedWhatsAppGroup"/>.
/// </summary>
public sealed record SimulatedGroupOptions
{
    /// <summary>The group id of seed 001's examples.</summary>
    public const string DefaultGroupWaId = "120363403645737238@g.us";

    /// <summary>Gets the group's id. The default value is <see cref="DefaultGroupWaId"/>.</summary>
    public string GroupWaId { get; init; } = DefaultGroupWaId;

    /// <summary>Gets how many members the group has. The default value is 40.</summary>
    public int MemberCount { get; init; } = 40;

    /// <summary>
    /// Gets the share of members, in [0, 1], who last wrote more than <see cref="SimulatedWhatsAppGroup.InactiveAfter"/>
    /// ago; they are spread evenly through the member list. The default value is 0.5.
    /// </summary>
    public double InactiveShare { get; init; } = 0.5;

    /// <summary>
    /// Gets the shortest delay between removal batches the simulated group allows. The default value is zero: nothing
    /// rate-limits a simulation, whereas a real WhatsApp group needs 10 seconds.
    /// </summary>
    public TimeSpan MinimumBatchDelay { get; init; } = TimeSpan.Zero;
}
