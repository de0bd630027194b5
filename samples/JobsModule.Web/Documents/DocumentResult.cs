namespace JobsModule.Web.Documents;

/// <summary>What <c>document_processing</c> did: its result, or its partial result after each chunk.</summary>
/// <param name="DocumentId">The document.</param>
/// <param name="ChunksDone">How many chunks were processed and stored.</param>
/// <param name="ChunkCount">How many chunks the document has.</param>
public sealed record DocumentResult(string DocumentId, int ChunksDone, int ChunkCount);
