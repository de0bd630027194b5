using Cancellable.Jobs;

namespace RemovalWorkflow;

/// <summary>
/// The <c>removal_workflow</c> job: syncs the inactive members of a group into the removal queue, then removes the
/// queue in batches (seed 001). Progress is weighted: <c>sync</c> 1, <c>remove</c> 4.
/// </summary>
/// <param name="gateway">The WhatsApp group.</param>
/// <param name="queue">The removal queue.</param>
/// <param name="timeProvider">The clock for the inactivity window and the delay between batches.</param>
public sealed class RemovalWorkflowJob(IWhatsAppGroupGateway gateway, RemovalQueue queue, TimeProvider timeProvider)
    : IJob<RemovalWorkflowInput, RemovalResult>
{
    /// <summary>The job type name.</summary>
    public const string JobType = "removal_workflow";

    /// <inheritdoc />
    public async Task<RemovalResult> ExecuteAsync(RemovalWorkflowInput input, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);

        // Both steps up front, so the overall fraction never moves back.
        var sync = context.Step("sync", weight: 1);
        var remove = context.Step("remove", weight: 4);

        cancellationToken.ThrowIfCancellationRequested();
        context.ReportProgress(0d, "syncing inactive members");
        var members = await gateway.ListMembersAsync(input.GroupWaId, cancellationToken).ConfigureAwait(false);
        var window = TimeSpan.FromMilliseconds(input.InactivityWindowMs);
        var cutoff = timeProvider.GetUtcNow() - window;
        var inactive = members.Where(m => m.LastActiveAt < cutoff).Select(m => m.WaId).ToList();
        var added = queue.Enqueue(input.GroupWaId, inactive);
        sync.ReportProgress(members.Count, members.Count, $"{inactive.Count} of {members.Count} members inactive");
        context.Info($"Sync: {inactive.Count} of {members.Count} members silent for more than {window.TotalDays:0.##} days; {added} newly queued for removal.");

        cancellationToken.ThrowIfCancellationRequested();
        return await new RemovalBatches(gateway, queue, timeProvider).RunAsync(input, context, remove, cancellationToken).ConfigureAwait(false);
    }
}
