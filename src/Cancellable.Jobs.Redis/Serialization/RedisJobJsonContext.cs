using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cancellable.Jobs.Redis.Serialization;

/// <summary>
/// The source-generated serializer for job records in Redis: no reflection, so the store works trimmed and under AOT.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobSnapshot))]
internal sealed partial class RedisJobJsonContext : JsonSerializerContext;
