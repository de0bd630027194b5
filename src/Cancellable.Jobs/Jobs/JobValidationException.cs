namespace Cancellable.Jobs;

/// <summary>
/// The exception thrown when a job's type is unknown or its input is invalid; no job was created.
/// </summary>
public sealed class JobValidationException : JobException
{
    /// <summary>Initializes a new instance of the <see cref="JobValidationException"/> class.</summary>
    /// <param name="jobType">The job type name that was asked for.</param>
    /// <param name="errors">The problems, by member name (an empty name for the input as a whole).</param>
    public JobValidationException(string? jobType, IReadOnlyDictionary<string, string[]> errors)
        : base(BuildMessage(jobType, errors))
    {
        ArgumentNullException.ThrowIfNull(errors);
        JobType = jobType;
        Errors = errors;
    }

    /// <summary>Gets the problems, by member name (an empty name for the input as a whole).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string BuildMessage(string? jobType, IReadOnlyDictionary<string, string[]> errors)
    {
        var problems = errors.SelectMany(e => e.Value.Select(m => e.Key.Length == 0 ? m : $"{e.Key}: {m}"));
        return $"The job '{jobType}' was not started: {string.Join("; ", problems)}";
    }
}
