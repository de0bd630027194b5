using System.Buffers;
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
        options.MakeReadOnly();
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    public static JsonElement Serialize<T>(T value, JsonSerializerOptions options) =>
        JsonSerializer.SerializeToElement(value, GetTypeInfo<T>(options));

    /// <summary>Counts the bytes of <paramref name="value"/>'s JSON without keeping them.</summary>
    public static long SizeOf(JsonElement value)
    {
        var counter = new ByteCounter();
        using (var writer = new Utf8JsonWriter(counter))
        {
            value.WriteTo(writer);
        }

        return counter.Count;
    }

    /// <summary>A buffer writer that counts what is written into one reused buffer.</summary>
    private sealed class ByteCounter : IBufferWriter<byte>
    {
        private byte[] _buffer = new byte[4096];

        public long Count { get; private set; }

        public void Advance(int count) => Count += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Buffer(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Buffer(sizeHint);

        private byte[] Buffer(int sizeHint)
        {
            if (sizeHint > _buffer.Length)
            {
                _buffer = new byte[sizeHint];
            }

            return _buffer;
        }
    }
}
