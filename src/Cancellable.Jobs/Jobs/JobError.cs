namespace Cancellable.Jobs;

/// <summary>
/// The exception that failed a job.
/// </summary>
/// <param name="Type">The exception's full type name.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="StackTrace">The exception's stack trace; not sent to HTTP clients unless the host opts in.</param>
public sealed record JobError(string Type, string Message, string? StackTrace)
{
    internal static JobError From(Exception exception) =>
        new(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.ToString());
}
