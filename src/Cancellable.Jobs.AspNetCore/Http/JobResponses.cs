using System.Text.Json.Serialization;

namespace Cancellable.Jobs.AspNetCore.Http;

/// <summary>The body of a 202 answer to <c>POST {prefix}/start</c>.</summary>
internal sealed record JobStartedResponse(string JobId, JobStatus Status, string Message, JobSnapshot Job);

/// <summary>The body of an answer to cancel, retry or delete.</summary>
internal sealed record JobCommandResponse(string JobId, JobCommandOutcome Outcome, JobStatus? Status, string Message, JobSnapshot? Job);

/// <summary>The body of an answer to <c>POST {prefix}/cancel-all</c>.</summary>
internal sealed record JobCancelAllResponse(int Count);

/// <summary>
/// The body of <c>POST {prefix}/cancel-all</c>. Unknown properties are refused: a misspelt filter must not widen into
/// "cancel everything".
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record JobCancelAllRequest(JobStatus? Status, string? Type, string? Owner, string? Tag);
