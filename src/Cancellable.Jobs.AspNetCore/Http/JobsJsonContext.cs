using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Cancellable.Jobs.AspNetCore.Http;

/// <summary>
/// The source-generated serializer of everything the endpoints read and write: camelCase, enums as strings, nulls left
/// out. The endpoints use it whatever JSON options the host configured, so the contract does not move with them.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters =
    [
        typeof(CamelCaseEnumConverter<JobStatus>),
        typeof(CamelCaseEnumConverter<JobCancelReason>),
        typeof(CamelCaseEnumConverter<JobMessageLevel>),
        typeof(CamelCaseEnumConverter<JobCommandOutcome>),
    ])]
[JsonSerializable(typeof(JobSnapshot))]
[JsonSerializable(typeof(JobPage))]
[JsonSerializable(typeof(JobStatistics))]
[JsonSerializable(typeof(JobCancelAllRequest))]
[JsonSerializable(typeof(JobStartedResponse))]
[JsonSerializable(typeof(JobCommandResponse))]
[JsonSerializable(typeof(JobCancelAllResponse))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(string))]
internal sealed partial class JobsJsonContext : JsonSerializerContext
{
}
