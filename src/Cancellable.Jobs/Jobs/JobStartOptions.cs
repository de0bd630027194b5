namespace Cancellable.Jobs;

/// <summary>
/// Options for one job start through <see cref="IJobManager"/>.
/// </summary>
public sealed record JobStartOptions
{
    /// <summary>Gets who starts the job, such as <c>admin@example.com</c>.</summary>
    public string? Owner { get; init; }

    /// <summary>Gets the job's tags, such as <c>project:42</c>.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>
    /// Gets the time each attempt may run before it is cancelled with <see cref="JobCancelReason.Timeout"/>.
    /// When <see langword="null"/>, <see cref="CancellableJobsOptions.DefaultTimeout"/> applies.
    /// </summary>
    public TimeSpan? Timeout { get; init; }
}
