using System.ComponentModel.DataAnnotations;

namespace RemovalWorkflow;

/// <summary>
/// The input of <c>removal_workflow</c>: queue the members inactive for longer than
/// <see cref="InactivityWindowMs"/>, then remove the queue in batches (seed 001).
/// </summary>
public sealed record RemovalWorkflowInput : RemovalQueueInput
{
    /// <summary>The inactivity window of seed 001's examples: 30 days.</summary>
    public const long DefaultInactivityWindowMs = 2_592_000_000;

    /// <summary>
    /// Gets how long a member must have been silent to be removed, in milliseconds (at most 10 years). The default
    /// value is 30 days.
    /// </summary>
    [Range(typeof(long), "1", "315360000000", ErrorMessage = "The inactivity window must be between 1 ms and 10 years.")]
    public long InactivityWindowMs { get; init; } = DefaultInactivityWindowMs;
}
