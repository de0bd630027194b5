namespace Cancellable.Jobs;

/// <summary>
/// Provides helpers for <see cref="JobStatus"/>.
/// </summary>
public static class JobStatusExtensions
{
    /// <summary>
    /// Gets a value indicating whether <paramref name="status"/> is terminal: <see cref="JobStatus.Completed"/>,
    /// <see cref="JobStatus.Failed"/> or <see cref="JobStatus.Cancelled"/>.
    /// </summary>
    /// <param name="status">The status to test.</param>
    /// <returns><see langword="true"/> when the status is terminal; otherwise <see langword="false"/>.</returns>
    public static bool IsTerminal(this JobStatus status) => status >= JobStatus.Completed;

    /// <summary>
    /// Gets a value indicating whether <paramref name="status"/> is active: <see cref="JobStatus.Pending"/>,
    /// <see cref="JobStatus.Running"/> or <see cref="JobStatus.Cancelling"/>.
    /// </summary>
    /// <param name="status">The status to test.</param>
    /// <returns><see langword="true"/> when the status is active; otherwise <see langword="false"/>.</returns>
    public static bool IsActive(this JobStatus status) => status < JobStatus.Completed;
}
