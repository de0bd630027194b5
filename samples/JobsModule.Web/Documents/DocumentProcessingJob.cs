using Cancellable.Jobs;

namespace JobsModule.Web.Documents;

/// <summary>
/// <c>document_processing</c> (seed 003): processes a document chunk by chunk and stores each chunk. Seed 003's
/// "Cancel &amp; Delete" is <c>DELETE /admin/jobs/{id}</c>: the token fires, the pause after the current chunk ends at
/// once, no further chunk is stored, and the job is removed. A failed job (a chunk that fails on the first attempt)
/// is re-run from the start by Retry; chunks already stored are stored again harmlessly.
/// </summary>
/// <param name="store">Where processed chunks go.</param>
/// <param name="timeProvider">The clock of the simulated work.</param>
public sealed class DocumentProcessingJob(ChunkStore store, TimeProvider timeProvider) : IJob<DocumentInput, DocumentResult>
{
    /// <summary>The job type name.</summary>
    public const string JobType = "document_processing";

    /// <inheritdoc />
    public async Task<DocumentResult> ExecuteAsync(DocumentInput input, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        context.Info($"Processing {input.DocumentId} in {input.Chunks} chunks (attempt {context.Attempt}).");
        var result = new DocumentResult(input.DocumentId, 0, input.Chunks);
        context.ReportProgress(0, input.Chunks, $"chunk 1 of {input.Chunks}");
        for (var chunk = 1; chunk <= input.Chunks; chunk++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (chunk == input.FailOnFirstAttemptAtChunk && context.Attempt == 1)
            {
                throw new TimeoutException($"Chunk {chunk} of {input.DocumentId}: the embedding service timed out.");
            }

            store.Save(input.DocumentId, chunk);
            result = result with { ChunksDone = chunk };
            context.SetPartialResult(result);
            context.ReportProgress(chunk, input.Chunks, $"chunk {chunk} of {input.Chunks}");
            if (chunk < input.Chunks)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(input.ChunkDelayMs), timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        return result;
    }
}
