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

    /// <summary>Serializes <paramref name="value"/> to UTF-8 JSON text, as snapshots keep JSON values.</summary>
    public static byte[] SerializeToUtf8<T>(T value, JsonSerializerOptions options) =>
        JsonSerializer.SerializeToUtf8Bytes(value, GetTypeInfo<T>(options));

    /// <summary>Reads a value of <typeparamref name="T"/> from UTF-8 JSON text.</summary>
    public static T? Deserialize<T>(byte[] utf8, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(utf8, GetTypeInfo<T>(options));

    /// <summary>
    /// Gets <paramref name="value"/>'s JSON text as UTF-8 bytes, as its document holds them; an undefined (default)
    /// element, which has no text, as no bytes.
    /// </summary>
    public static byte[] ToUtf8(JsonElement value) =>
        value.ValueKind == JsonValueKind.Undefined ? [] :
#if NET9_0_OR_GREATER
        System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value).ToArray();
#else
        System.Text.Encoding.UTF8.GetBytes(value.GetRawText());
#endif

    /// <summary>Reads a JSON value back from the bytes <see cref="ToUtf8"/> gave (into a document of its own).</summary>
    public static JsonElement? FromUtf8(byte[]? utf8)
    {
        if (utf8 is null)
        {
            return null;
        }

        if (utf8.Length == 0)
        {
            return default(JsonElement);
        }

        var reader = new Utf8JsonReader(utf8);
        return JsonElement.ParseValue(ref reader);
    }

    private static class TypeInfoCache<T>
    {
        public static JsonTypeInfo<T>? Last;
    }
}
