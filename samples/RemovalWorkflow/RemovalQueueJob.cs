using Cancellable.Jobs;

namespace RemovalWorkflow;

/// <summary>
/// The <c>removal_queue</c> job: removes the members already in the removal queue, in batches (seed 001).
/// </summary>
/// <param name="gateway">The WhatsApp group.</param>
/// <param name="queue">The removal queue.</param>
/// <param name="timeProvider">The clock the delay between batches runs on.</param>
public sealed class RemovalQueueJob(IWhatsAppGroupGateway gateway, RemovalQueue queue, TimeProvider timeProvider)
    : IJob<RemovalQueueInput, RemovalResult>
{
    /// <summary>The job type name.</summary>
    public const string JobType = "removal_queue";

    /// <inheritdoc />
    public Task<RemovalResult> ExecuteAsync(RemovalQueueInput input, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        return new RemovalBatches(gateway, queue, timeProvider).RunAsync(input, context, step: null, cancellationToken);
    }
}
