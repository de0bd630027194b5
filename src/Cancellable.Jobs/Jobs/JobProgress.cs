namespace Cancellable.Jobs;

/// <summary>
/// The progress of a job or of one of its steps.
/// </summary>
/// <remarks>
/// When a job or step has <see cref="Steps"/>, its <see cref="Fraction"/> is the weighted mean of its steps' fractions.
/// </remarks>
public record JobProgress
{
    /// <summary>Gets a progress of zero with no step.</summary>
    public static JobProgress None { get; } = new();

    /// <summary>Gets the fraction done, in [0, 1].</summary>
    public double Fraction { get; init; }

    /// <summary>Gets the count of items processed, when the job reports counts.</summary>
    public long? Processed { get; init; }

    /// <summary>Gets the count of items to process, when the job reports counts.</summary>
    public long? Total { get; init; }

    /// <summary>Gets a short text saying what the job is doing now, such as "batch 3 of 10".</summary>
    public string? CurrentStep { get; init; }

    /// <summary>Gets the weighted sub-operations, in the order they were declared.</summary>
    public IReadOnlyList<JobStepProgress> Steps { get; init; } = [];
}
