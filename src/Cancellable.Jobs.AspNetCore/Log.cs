using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.AspNetCore;

/// <summary>The log messages of the endpoints, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Unexpected error serving {Method} {Path}")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "The job change feed stopped unexpectedly; event streams reset their clients")]
    public static partial void FeedFailed(ILogger logger, Exception exception);
}
