using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Cancellable.Jobs.AspNetCore.Http;

/// <summary>
/// Reads request bodies within the size limit and turns a start request, in either accepted form, into its parts.
/// </summary>
internal static class JobRequestReader
{
    private static readonly string[] ExplicitFormProperties = ["type", "input", "tags", "timeout"];

    /// <summary>Reads the body as JSON, or writes the problem (413, 415, 400) and returns failure.</summary>
    /// <returns>Whether the body could be read, and its root element (<see langword="null"/> when it was empty).</returns>
    public static async Task<(bool Ok, JsonElement? Body)> ReadJsonAsync(HttpContext context, long maxSize)
    {
        var request = context.Request;
        if (request.ContentLength > maxSize)
        {
            await JobProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {maxSize} bytes.").ConfigureAwait(false);
            return (false, null);
        }

        var buffer = new ArrayBufferWriter<byte>();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.WrittenCount + (long)read > maxSize)
                {
                    await JobProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {maxSize} bytes.").ConfigureAwait(false);
                    return (false, null);
                }

                buffer.Write(chunk.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (buffer.WrittenCount == 0)
        {
            return (true, null);
        }

        // A JSON content type makes a cross-site browser request preflighted, so a page elsewhere cannot send one.
        if (!request.HasJsonContentType())
        {
            await JobProblems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "The request body must be JSON (Content-Type: application/json).").ConfigureAwait(false);
            return (false, null);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            return (true, document.RootElement.Clone());
        }
        catch (JsonException exception)
        {
            await JobProblems.WriteValidationAsync(context, "body", $"The request body is not valid JSON: {exception.Message}").ConfigureAwait(false);
            return (false, null);
        }
    }

    /// <summary>
    /// Splits a start request into the type, the input and the start options. Accepts the explicit form
    /// <c>{"type":…,"input":{…},"tags":[…],"timeout":…}</c> and the flat form <c>{"type":…,"field":…}</c>, where
    /// every property but <c>type</c> is the input.
    /// </summary>
    public static StartRequest? ParseStart(JsonElement? body, Dictionary<string, string[]> errors)
    {
        if (body is not { ValueKind: JsonValueKind.Object } root)
        {
            errors["body"] = ["The request body must be a JSON object with a \"type\" and the job's input."];
            return null;
        }

        string? type = null;
        if (!root.TryGetProperty("type", out var typeElement))
        {
            errors["type"] = ["The job type is required."];
        }
        else if (typeElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(typeElement.GetString()))
        {
            errors["type"] = ["The job type must be a non-empty string."];
        }
        else
        {
            type = typeElement.GetString();
        }

        if (!root.TryGetProperty("input", out var input))
        {
            return type is null ? null : new StartRequest(type, WithoutType(root), Tags: null, Timeout: null);
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!ExplicitFormProperties.Contains(property.Name, StringComparer.Ordinal))
            {
                errors[property.Name] = ["Unknown property: a body with \"input\" may also have only \"type\", \"tags\" and \"timeout\"."];
            }
        }

        var tags = ReadTags(root, errors);
        var timeout = ReadTimeout(root, errors);
        return type is null || errors.Count > 0 ? null : new StartRequest(type, input.Clone(), tags, timeout);
    }

    private static JsonElement WithoutType(JsonElement root)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (!property.NameEquals("type"))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static List<string>? ReadTags(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty("tags", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.Array && element.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String))
        {
            return [.. element.EnumerateArray().Select(t => t.GetString()!)];
        }

        errors["tags"] = ["The tags must be an array of strings."];
        return null;
    }

    private static TimeSpan? ReadTimeout(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (!root.TryGetProperty("timeout", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var seconds) && seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (element.ValueKind == JsonValueKind.String && TimeSpan.TryParse(element.GetString(), CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        errors["timeout"] = ["The timeout must be a positive number of seconds or a time span such as \"00:05:00\"."];
        return null;
    }
}

/// <summary>A start request, split into its parts.</summary>
internal sealed record StartRequest(string Type, JsonElement Input, IReadOnlyList<string>? Tags, TimeSpan? Timeout);
