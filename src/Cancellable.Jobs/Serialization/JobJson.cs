#if !NET9_0_OR_GREATER
using System.Buffers;
#endif
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

    /// <summary>Tells whether two values have the same JSON text; an undefined (default) element equals only another.</summary>
    public static bool TextEquals(JsonElement x, JsonElement y)
    {
        if (x.ValueKind == JsonValueKind.Undefined || y.ValueKind == JsonValueKind.Undefined)
        {
            return x.ValueKind == y.ValueKind;
        }

#if NET9_0_OR_GREATER
        return System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(x).SequenceEqual(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(y));
#else
        return string.Equals(x.GetRawText(), y.GetRawText(), StringComparison.Ordinal);
#endif
    }

    /// <summary>Gets a hash code of a value's JSON text, consistent with <see cref="TextEquals"/>.</summary>
    public static int TextHashCode(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            return 0;
        }

#if NET9_0_OR_GREATER
        var hash = default(HashCode);
        hash.AddBytes(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value));
        return hash.ToHashCode();
#else
        return StringComparer.Ordinal.GetHashCode(value.GetRawText());
#endif
    }

    /// <summary>Gets the size of <paramref name="value"/>'s JSON, as this class wrote it (no whitespace).</summary>
    public static long SizeOf(JsonElement value)
    {
#if NET9_0_OR_GREATER
        return System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value).Length;
#else
        var counter = new ByteCounter();
        using (var writer = new Utf8JsonWriter(counter))
        {
            value.WriteTo(writer);
        }

        return counter.Count;
#endif
    }

#if !NET9_0_OR_GREATER
    /// <summary>A buffer writer that counts what is written into one reused, per-thread buffer.</summary>
    private sealed class ByteCounter : IBufferWriter<byte>
    {
        [ThreadStatic]
        private static byte[]? t_buffer;

        public long Count { get; private set; }

        public void Advance(int count) => Count += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Buffer(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Buffer(sizeHint);

        private static byte[] Buffer(int sizeHint)
        {
            if (t_buffer is null || sizeHint > t_buffer.Length)
            {
                t_buffer = new byte[Math.Max(sizeHint, 4096)];
            }

            return t_buffer;
        }
    }
#endif

    private static class TypeInfoCache<T>
    {
        public static JsonTypeInfo<T>? Last;
    }
}
