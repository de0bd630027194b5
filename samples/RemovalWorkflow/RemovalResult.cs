namespace RemovalWorkflow;

/// <summary>
/// What a removal job did: its result when it completed, and its partial result (after each batch) when it was
/// cancelled or failed.
/// </summary>
/// <param name="DryRun">Whether the job ran as a dry run.</param>
/// <param name="RemovedWhatsappIds">The members removed from the group; always empty in a dry run.</param>
/// <param name="WouldRemoveWhatsappIds">In a dry run, the members that would have been removed; otherwise empty.</param>
/// <param name="BatchesDone">How many batches finished.</param>
/// <param name="BatchCount">How many batches the removal queue made.</param>
public sealed record RemovalResult(
    bool DryRun,
    IReadOnlyList<string> RemovedWhatsappIds,
    IReadOnlyList<string> WouldRemoveWhatsappIds,
    int BatchesDone,
    int BatchCount);
