using System.ComponentModel.DataAnnotations;

namespace RemovalWorkflow;

/// <summary>
/// The input of <c>removal_queue</c>: remove the members already in the removal queue, in batches (seed 001).
/// </summary>
/// <remarks>
/// <see cref="DelayMs"/> must also be at least the gateway's <see cref="IWhatsAppGroupGateway.MinimumBatchDelay"/>
/// (10 seconds for a real group); <see cref="RemovalInputValidator"/> checks that when the job is started.
/// </remarks>
public record RemovalQueueInput
{
    /// <summary>Gets the group's id, such as <c>120363403645737238@g.us</c>.</summary>
    [Required(ErrorMessage = "The group id is required.")]
    [RegularExpression(@"^[0-9]+(-[0-9]+)?@g\.us$", ErrorMessage = "The group id must look like 120363403645737238@g.us.")]
    public string GroupWaId { get; init; } = string.Empty;

    /// <summary>Gets how many members are removed per batch. The default value is 5.</summary>
    [Range(1, 1_000, ErrorMessage = "The batch size must be between 1 and 1000.")]
    public int BatchSize { get; init; } = 5;

    /// <summary>Gets the delay between two batches, in milliseconds. The default value is 10,000.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "The delay must not be negative.")]
    public int DelayMs { get; init; } = 10_000;

    /// <summary>
    /// Gets a value indicating whether to only report who would be removed, removing nobody. The default value is
    /// <see langword="true"/>, so a forgotten field never removes anyone.
    /// </summary>
    public bool DryRun { get; init; } = true;
}
