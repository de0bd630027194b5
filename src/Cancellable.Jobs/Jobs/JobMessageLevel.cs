namespace Cancellable.Jobs;

/// <summary>
/// The level of a <see cref="JobMessage"/>.
/// </summary>
public enum JobMessageLevel
{
    /// <summary>Information about the job's work.</summary>
    Info,

    /// <summary>Something the job recovered from, or that a person should look at.</summary>
    Warning,

    /// <summary>An error the job reported; the job may still go on.</summary>
    Error,
}
