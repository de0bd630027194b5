namespace Cancellable.Jobs;

/// <summary>
/// A job that takes an input and returns no result.
/// </summary>
/// <typeparam name="TInput">The type of the job's input; it round-trips through System.Text.Json.</typeparam>
/// <remarks>
/// A job is resolved from dependency injection in a scope of its own for each run. The job's code must observe
/// <c>cancellationToken</c>: an <see cref="OperationCanceledException"/> for that token ends the job as
/// <see cref="JobStatus.Cancelled"/>; any other exception ends it as <see cref="JobStatus.Failed"/>.
/// </remarks>
public interface IJob<in TInput>
{
    /// <summary>
    /// Runs the job.
    /// </summary>
    /// <param name="input">The job's input.</param>
    /// <param name="context">What the job reports progress, messages and partial results to.</param>
    /// <param name="cancellationToken">Fires when the job is cancelled, times out or the host stops.</param>
    /// <returns>A task that completes when the job's work is done.</returns>
    Task ExecuteAsync(TInput input, JobContext context, CancellationToken cancellationToken);
}
