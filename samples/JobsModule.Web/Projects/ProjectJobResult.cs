namespace JobsModule.Web.Projects;

/// <summary>What a project job did: its result on completion, its partial result after each record.</summary>
/// <param name="ProjectId">The project.</param>
/// <param name="Done">How many records (or tests) were worked through.</param>
/// <param name="Total">How many there are.</param>
/// <param name="Failed">For <c>test_run</c>, the failed tests; otherwise 0.</param>
/// <param name="File">For <c>export</c>, the file written; otherwise <see langword="null"/>.</param>
public sealed record ProjectJobResult(string ProjectId, int Done, int Total, int Failed = 0, string? File = null);
