using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Cancellable.Jobs;

/// <summary>
/// Serializes job inputs and results with the configured options, through <see cref="JsonTypeInfo"/> so the same path
/// works trimmed.
/// </summary>
internal static class JobJson
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reflection is used only where the app enables it (JsonSerializer.IsReflectionEnabledByDefault); trimmed apps set a source-generated resolver.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "As above: only where reflection is enabled.")]
    public static JsonSerializerOptions CreateDefaultOptions() => new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = JsonSerializer.IsReflectionEnabledByDefault ? new DefaultJsonTypeInfoResolver() : JsonTypeInfoResolver.Combine(),
    };

    public static JsonTypeInfo<T> GetTypeInfo<T>(JsonSerializerOptions options)
    {
        // Apps use one options instance: remember its type info rather than ask the options' cache on every call.
        if (TypeInfoCache<T>.Last is { } last && ReferenceEquals(last.Options, options))
        {
            return last;
        }

        options.MakeReadOnly();
        var info = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        TypeInfoCache<T>.Last = info;
        return info;
    }

    public static JsonElement Serialize<T>(T value, JsonSerializerOptions options) =>
        JsonSerializer.SerializeToElement(value, GetTypeInfo<T>(options));

    private static class TypeInfoCache<T>
    {
        public static JsonTypeInfo<T>? Last;
    }
}
