using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.Redis.Storage;

/// <summary>
/// The Redis store's log messages, with stable event ids (1000 and up, apart from the core's).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Warning, "A change published on {Channel} could not be read and was skipped.")]
    public static partial void ChangeUnreadable(ILogger logger, Exception exception, string channel);
}
