using System.ComponentModel.DataAnnotations;

namespace JobsModule.Web.Documents;

/// <summary>The input of <c>document_processing</c> (seed 003): process one document chunk by chunk.</summary>
public sealed record DocumentInput
{
    /// <summary>Gets the document's id.</summary>
    [Required(ErrorMessage = "The document id is required.")]
    [StringLength(100, MinimumLength = 1, ErrorMessage = "The document id must be 1 to 100 characters.")]
    public string DocumentId { get; init; } = string.Empty;

    /// <summary>Gets how many chunks the document has. The default value is 12.</summary>
    [Range(1, 10_000, ErrorMessage = "The chunk count must be between 1 and 10000.")]
    public int Chunks { get; init; } = 12;

    /// <summary>Gets the simulated pause after each chunk, in milliseconds. The default value is 1000.</summary>
    [Range(0, 60_000, ErrorMessage = "The delay must be between 0 and 60000 ms.")]
    public int ChunkDelayMs { get; init; } = 1000;

    /// <summary>
    /// Gets the number (from 1) of a chunk whose processing fails on the first attempt only, like a model call that
    /// times out once; Retry then succeeds. The default value is none.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "The failing chunk must be between 1 and 10000.")]
    public int? FailOnFirstAttemptAtChunk { get; init; }
}
