namespace RemovalWorkflow;

/// <summary>
/// One member of a WhatsApp group, as a gateway lists it.
/// </summary>
/// <param name="WaId">The member's WhatsApp id, such as <c>491700000001@lid</c>.</param>
/// <param name="LastActiveAt">When the member last wrote in the group.</param>
public sealed record GroupMember(string WaId, DateTimeOffset LastActiveAt);
