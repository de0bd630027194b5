namespace RemovalWorkflow.Tests.TestSupport;

/// <summary>
/// Wraps a gateway: can hold the member listing or the n-th removal until released (ignoring any token, as a slow
/// WhatsApp call would), and records the tokens the job passed to each removal.
/// </summary>
internal sealed class GatedGateway(IWhatsAppGroupGateway inner) : IWhatsAppGroupGateway
{
    private readonly List<CancellationToken> _removalTokens = [];
    private int _removals;

    public TaskCompletionSource? HoldListing { get; init; }

    public int HoldRemovalNumber { get; init; }

    public TaskCompletionSource HoldRemoval { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<CancellationToken> RemovalTokens
    {
        get
        {
            lock (_removalTokens)
            {
                return [.. _removalTokens];
            }
        }
    }

    public TimeSpan MinimumBatchDelay => inner.MinimumBatchDelay;

    public async Task<IReadOnlyList<GroupMember>> ListMembersAsync(string groupWaId, CancellationToken cancellationToken = default)
    {
        if (HoldListing is { } hold)
        {
            Entered.TrySetResult();
            await hold.Task;
        }

        return await inner.ListMembersAsync(groupWaId, CancellationToken.None);
    }

    public async Task<bool> RemoveMemberAsync(string groupWaId, string memberWaId, CancellationToken cancellationToken = default)
    {
        lock (_removalTokens)
        {
            _removalTokens.Add(cancellationToken);
        }

        if (Interlocked.Increment(ref _removals) == HoldRemovalNumber)
        {
            Entered.TrySetResult();
            await HoldRemoval.Task;
        }

        return await inner.RemoveMemberAsync(groupWaId, memberWaId, cancellationToken);
    }
}
