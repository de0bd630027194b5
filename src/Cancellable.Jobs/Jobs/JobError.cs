namespace Cancellable.Jobs;

/// <summary>
/// The exception that failed a job.
/// </summary>
/// <param name="Type">The exception's full type name.</param>
/// <param name="Message">The exception's message, truncated to <see cref="CancellableJobsOptions.MaxMessageLength"/>.</param>
/// <param name="StackTrace">The exception's stack trace, truncated to 65,536 characters; not sent to HTTP clients unless the host opts in.</param>
public sealed record JobError(string Type, string Message, string? StackTrace)
{
    /// <summary>The longest stack trace kept, in characters: deep enough for any real chain of calls.</summary>
    internal const int MaxStackTraceLength = 64 * 1024;

    /// <summary>Keeps the exception's message to <paramref name="maxMessageLength"/> characters, as job messages are.</summary>
    internal static JobError From(Exception exception, int maxMessageLength)
    {
        var type = exception.GetType();
        return new(
            type.FullName ?? type.Name,
            JobContext.Truncate(TextOf(exception, static e => e.Message), maxMessageLength),
            JobContext.Truncate(TextOf(exception, static e => e.ToString()), MaxStackTraceLength));
    }

    /// <summary>Reads an exception's text; an exception whose own message or description throws gets one saying so.</summary>
    private static string TextOf(Exception exception, Func<Exception, string> text)
    {
        try
        {
            return text(exception);
        }
        catch (Exception unreadable)
        {
            return $"The text of the {exception.GetType().Name} that failed the job could not be read: its {unreadable.GetType().Name} was thrown.";
        }
    }
}
