namespace Cancellable.Jobs;

/// <summary>
/// A job that takes an input and returns a result.
/// </summary>
/// <typeparam name="TInput">The type of the job's input; it round-trips through System.Text.Json.</typeparam>
/// <typeparam name="TResult">The type of the job's result; it is stored as JSON.</typeparam>
/// <remarks>
/// A job is resolved from dependency injection in a scope of its own for each run. The job's code must observe
/// <c>cancellationToken</c>: an <see cref="OperationCanceledException"/> for that token ends the job as
/// <see cref="JobStatus.Cancelled"/>; any other exception ends it as <see cref="JobStatus.Failed"/>.
/// </remarks>
public interface IJob<in TInput, TResult>
{
    /// <summary>
    /// Runs the job.
    /// </summary>
    /// <param name="input">The job's input.</param>
    /// <param name="context">What the job reports progress, messages and partial results to.</param>
    /// <param name="cancellationToken">Fires when the job is cancelled, times out or the host stops.</param>
    /// <returns>A task whose result is the job's result.</returns>
    Task<TResult> ExecuteAsync(TInput input, JobContext context, CancellationToken cancellationToken);
}
