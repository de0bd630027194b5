using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cancellable.Jobs.Redis.Serialization;
using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Storage;

/// <summary>
/// Turns snapshots into script arguments and script replies back into snapshots.
/// </summary>
internal static class RedisJobCodec
{
    private static readonly JsonWriterOptions TagsOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The arguments shared by the create and replace scripts (ARGV 1 to 11).</summary>
    public static List<RedisValue> WriteArguments(string prefix, JobSnapshot job, TimeSpan? ttl)
    {
        var data = JsonSerializer.SerializeToUtf8Bytes(job, RedisJobJsonContext.Default.JobSnapshot);
        return
        [
            prefix,
            job.Id,
            data,
            ((int)job.Status).ToString(CultureInfo.InvariantCulture),
            job.Type,
            job.Owner is null ? string.Empty : "=" + job.Owner,
            EncodeTags(job.Tags),
            job.ExpiresAt is { } expires ? Micros(expires) : string.Empty,
            job.ExpiresAt is { } at ? at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) : string.Empty,
            job.Status.IsTerminal() && job.CompletedAt is { } completed ? Micros(completed) : string.Empty,
            ttl is { } t ? Math.Max(1L, (long)Math.Ceiling(t.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) : string.Empty,
        ];
    }

    /// <summary>A time as whole microseconds since the Unix epoch, the score of the time indexes.</summary>
    public static string Micros(DateTimeOffset time) =>
        ((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(CultureInfo.InvariantCulture);

    public static DateTimeOffset FromMicros(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + (micros * 10), TimeSpan.Zero);

    public static JobSnapshot Read(RedisValue version, RedisValue sequence, RedisValue data) =>
        Read((long)version, (long)sequence, (byte[])data!);

    public static JobSnapshot Read(long version, long sequence, ReadOnlySpan<byte> data)
    {
        var job = JsonSerializer.Deserialize(data, RedisJobJsonContext.Default.JobSnapshot)
            ?? throw new InvalidDataException("A job record in Redis holds null.");
        return job with { Version = version, Sequence = sequence };
    }

    /// <summary>Reads the flat (sequence, version, data) triples the sweeping scripts return.</summary>
    public static List<JobSnapshot> ReadTriples(RedisResult result)
    {
        var items = (RedisResult[])result!;
        var jobs = new List<JobSnapshot>(items.Length / 3);
        for (var i = 0; i + 2 < items.Length; i += 3)
        {
            jobs.Add(Read((RedisValue)items[i + 1], (RedisValue)items[i], (RedisValue)items[i + 2]));
        }

        return jobs;
    }

    /// <summary>
    /// Parses a published change, <c>{kind}|{sequence}|{version}|{json}</c>: kind <c>C</c> created, <c>R</c> removed, or
    /// <c>U</c> updated followed by the job's previous status as one digit (<c>U1</c>: the job was Running before).
    /// </summary>
    /// <returns>The change, or <see langword="null"/> when the kind is not one of these.</returns>
    /// <remarks>An update without the digit is read with an unknown previous status.</remarks>
    /// <exception cref="FormatException">A number is not one.</exception>
    public static JobChange? ReadChange(ReadOnlySpan<byte> payload)
    {
        var bar = payload.IndexOf((byte)'|');
        var kind = bar switch
        {
            1 => payload[0] switch
            {
                (byte)'C' => JobChangeKind.Created,
                (byte)'U' => JobChangeKind.Updated,
                (byte)'R' => JobChangeKind.Removed,
                _ => (JobChangeKind?)null,
            },
            2 when payload[0] == (byte)'U' && payload[1] is >= (byte)'0' and <= (byte)'0' + (int)JobStatus.Cancelled => JobChangeKind.Updated,
            _ => null,
        };
        if (kind is null)
        {
            return null;
        }

        JobStatus? previous = bar == 2 ? (JobStatus)(payload[1] - '0') : null;
        var rest = payload[(bar + 1)..];
        bar = rest.IndexOf((byte)'|');
        var sequence = long.Parse(Encoding.ASCII.GetString(rest[..bar]), CultureInfo.InvariantCulture);
        rest = rest[(bar + 1)..];
        bar = rest.IndexOf((byte)'|');
        var version = long.Parse(Encoding.ASCII.GetString(rest[..bar]), CultureInfo.InvariantCulture);
        return new JobChange(kind.Value, Read(version, sequence, rest[(bar + 1)..])) { PreviousStatus = previous };
    }

    private static string EncodeTags(IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
        {
            return "[]";
        }

        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, TagsOptions))
        {
            writer.WriteStartArray();
            foreach (var tag in tags)
            {
                writer.WriteStringValue(tag);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
