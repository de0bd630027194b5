namespace Cancellable.Jobs;

/// <summary>
/// One message a job reported through <see cref="JobContext.Info(string)"/>, <see cref="JobContext.Warning(string)"/>
/// or <see cref="JobContext.Error(string)"/>.
/// </summary>
/// <remarks>
/// The text is untrusted: whatever shows it must treat it as plain text, never as markup.
/// </remarks>
/// <param name="Level">The message's level.</param>
/// <param name="Text">The message text, truncated with a marker when it was longer than the configured limit.</param>
/// <param name="Timestamp">When the job reported the message.</param>
public sealed record JobMessage(JobMessageLevel Level, string Text, DateTimeOffset Timestamp);
