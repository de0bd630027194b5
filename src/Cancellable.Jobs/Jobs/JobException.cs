namespace Cancellable.Jobs;

/// <summary>
/// The base of the exceptions Cancellable.Jobs throws for a job it cannot start or act on.
/// </summary>
public class JobException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="JobException"/> class.</summary>
    public JobException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JobException"/> class.</summary>
    /// <param name="message">The error message.</param>
    public JobException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JobException"/> class.</summary>
    /// <param name="message">The error message.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public JobException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the id of the job concerned, when there is one.</summary>
    public string? JobId { get; init; }

    /// <summary>Gets the type name of the job concerned, when known.</summary>
    public string? JobType { get; init; }
}
