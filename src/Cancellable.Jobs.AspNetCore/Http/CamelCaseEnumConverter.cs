using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cancellable.Jobs.AspNetCore.Http;

/// <summary>Writes an enum as its camelCase name (<c>pending</c>, <c>cancelling</c>) and reads it in any case.</summary>
/// <typeparam name="TEnum">The enum.</typeparam>
internal sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    where TEnum : struct, Enum;
