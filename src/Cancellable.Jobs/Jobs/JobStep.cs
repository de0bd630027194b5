namespace Cancellable.Jobs;

/// <summary>
/// A weighted sub-operation of a job, declared by <see cref="JobContext.Step(string, double)"/> or by a parent step.
/// </summary>
/// <remarks>
/// <para>
/// A job or step that has steps takes the weighted mean of its steps' fractions as its own: declare every step of a
/// pipeline up front (as the seed's <c>initializePipeline</c> does) so that the overall fraction never moves back
/// when a step is added. Steps nest to any depth.
/// </para>
/// <para>
/// Reporting progress is cheap enough for a tight loop: it allocates nothing and takes no lock; the job's progress is
/// written to the store at most once per <see cref="CancellableJobsOptions.ProgressFlushInterval"/>.
/// </para>
/// </remarks>
public sealed class JobStep
{
    /// <summary>The longest step name, in characters.</summary>
    internal const int MaxNameLength = 256;

    private readonly JobContext _context;
    private JobStep[] _children = [];
    private double _fraction;
    private long _processed = -1;
    private long _total = -1;
    private string? _currentStep;

    internal JobStep(JobContext context, string name, double weight)
    {
        _context = context;
        Name = name;
        Weight = weight;
    }

    /// <summary>Gets the step's name.</summary>
    public string Name { get; }

    /// <summary>Gets the step's weight relative to its siblings.</summary>
    public double Weight { get; }

    /// <summary>
    /// Reports the fraction of this step that is done.
    /// </summary>
    /// <param name="fraction">The fraction done, in [0, 1].</param>
    /// <param name="currentStep">What the step is doing now, or <see langword="null"/> to keep the previous text; truncated to <see cref="CancellableJobsOptions.MaxMessageLength"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is NaN, infinite or outside [0, 1].</exception>
    public void ReportProgress(double fraction, string? currentStep = null)
    {
        if (!(fraction >= 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Progress must be a fraction in [0, 1].");
        }

        Volatile.Write(ref _total, -1);
        Volatile.Write(ref _processed, -1);
        Volatile.Write(ref _fraction, fraction);
        SetCurrentStep(currentStep);
    }

    /// <summary>
    /// Reports how many of this step's items are processed.
    /// </summary>
    /// <param name="processed">The count processed, from 0 to <paramref name="total"/>.</param>
    /// <param name="total">The count to process; 0 means there is nothing to do, which counts as done.</param>
    /// <param name="currentStep">What the step is doing now, or <see langword="null"/> to keep the previous text.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="total"/> is negative, or <paramref name="processed"/> is outside [0, <paramref name="total"/>].</exception>
    public void ReportProgress(long processed, long total, string? currentStep = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfNegative(processed);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(processed, total);

        Volatile.Write(ref _total, total);
        Volatile.Write(ref _processed, processed);
        Volatile.Write(ref _fraction, total == 0 ? 1 : (double)processed / total);
        SetCurrentStep(currentStep);
    }

    /// <summary>
    /// Marks this step done: its fraction becomes 1.
    /// </summary>
    public void Complete() => ReportProgress(1.0);

    /// <summary>
    /// Declares a sub-step of this step, or returns the one already declared with that name.
    /// </summary>
    /// <param name="name">The sub-step's name, unique among its siblings.</param>
    /// <param name="weight">The sub-step's weight relative to its siblings: a positive, finite number.</param>
    /// <returns>The sub-step.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or longer than 256 characters.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is not positive and finite.</exception>
    /// <exception cref="InvalidOperationException">
    /// The job already declared <see cref="CancellableJobsOptions.MaxStepsPerJob"/> steps (counted at every depth).
    /// </exception>
    public JobStep Step(string name, double weight = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > MaxNameLength)
        {
            throw new ArgumentException($"A step's name is at most {MaxNameLength} characters; this one has {name.Length}.", nameof(name));
        }

        if (!(weight > 0 && double.IsFinite(weight)))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "A step's weight must be positive and finite.");
        }

        lock (_context.SyncRoot)
        {
            foreach (var existing in _children)
            {
                if (existing.Name == name)
                {
                    return existing;
                }
            }

            _context.ReserveStep(name);
            var step = new JobStep(_context, name, weight);
            _children = [.. _children, step];
            _context.MarkDirty();
            return step;
        }
    }

    internal double ComputeFraction()
    {
        var children = Volatile.Read(ref _children);
        if (children.Length == 0)
        {
            return Volatile.Read(ref _fraction);
        }

        double weighted = 0, weights = 0;
        foreach (var child in children)
        {
            weighted += child.Weight * child.ComputeFraction();
            weights += child.Weight;
        }

        return Math.Clamp(weighted / weights, 0, 1);
    }

    internal JobProgress ToProgress()
    {
        var total = Volatile.Read(ref _total);
        var processed = Volatile.Read(ref _processed);
        var children = Volatile.Read(ref _children);
        var counted = total >= 0 && processed >= 0;
        var currentStep = Volatile.Read(ref _currentStep);
        if (!counted && children.Length == 0 && currentStep is null && Volatile.Read(ref _fraction) == 0)
        {
            return JobProgress.None; // nothing reported: share the one empty progress rather than keep a copy per job
        }

        return new JobProgress
        {
            Fraction = ComputeFraction(),
            Processed = counted ? Math.Min(processed, total) : null,
            Total = counted ? total : null,
            CurrentStep = currentStep,
            Steps = children.Length == 0 ? [] : Array.ConvertAll(children, c => new JobStepProgress(c.ToProgress()) { Name = c.Name, Weight = c.Weight }),
        };
    }

    private void SetCurrentStep(string? currentStep)
    {
        if (currentStep is not null)
        {
            var max = _context.MaxTextLength;
            Volatile.Write(ref _currentStep, currentStep.Length <= max ? currentStep : JobContext.Truncate(currentStep, max));
        }

        _context.MarkDirty();
    }
}
