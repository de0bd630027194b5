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
