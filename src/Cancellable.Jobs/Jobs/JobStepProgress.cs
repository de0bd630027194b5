namespace Cancellable.Jobs;

/// <summary>
/// The progress of one weighted sub-operation declared by <see cref="JobContext.Step(string, double)"/>.
/// </summary>
public sealed record JobStepProgress : JobProgress
{
    /// <summary>Initializes a new instance of the <see cref="JobStepProgress"/> class.</summary>
    public JobStepProgress()
    {
    }

    internal JobStepProgress(JobProgress progress)
        : base(progress)
    {
    }

    /// <summary>Gets the step's name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the step's weight relative to its siblings.</summary>
    public double Weight { get; init; } = 1;
}
