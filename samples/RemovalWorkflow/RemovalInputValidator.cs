using System.ComponentModel.DataAnnotations;
using Cancellable.Jobs;

namespace RemovalWorkflow;

/// <summary>
/// Checks what DataAnnotations cannot: the delay between batches against the gateway's rate limit.
/// </summary>
/// <remarks>
/// Registered for both input types (the interface is contravariant, but dependency injection does not resolve by
/// variance). A failure creates no job.
/// </remarks>
/// <param name="gateway">The gateway whose limit applies.</param>
public sealed class RemovalInputValidator(IWhatsAppGroupGateway gateway) : IJobInputValidator<RemovalQueueInput>
{
    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(RemovalQueueInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var minimum = (long)gateway.MinimumBatchDelay.TotalMilliseconds;
        if (input.DelayMs < minimum)
        {
            yield return new ValidationResult(
                $"The delay must be at least {minimum} ms between batches for this group.",
                [nameof(RemovalQueueInput.DelayMs)]);
        }
    }
}
