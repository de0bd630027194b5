using System.Text;
using System.Text.Json;

namespace Cancellable.Jobs.AspNetCore.Tests.Support;

/// <summary>One server-sent event, or a comment (a heartbeat).</summary>
public sealed record SseEvent(string? Id, string? Event, string Data, string? Comment)
{
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Data);
            return document.RootElement.Clone();
        }
    }
}

/// <summary>Reads a text/event-stream response event by event.</summary>
public sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseStream(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream, Encoding.UTF8);
    }

    public HttpResponseMessage Response => _response;

    public static async Task<SseStream> OpenAsync(HttpClient client, string path, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseStream(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>Reads the next event or comment; <see langword="null"/> when the stream ended.</summary>
    public async Task<SseEvent?> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? id = null, name = null, comment = null;
        var data = new StringBuilder();
        var any = false;
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseEvent(id, name, data.ToString(), comment);
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                comment = line[1..].Trim();
                any = true;
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
                any = true;
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
                any = true;
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(data.Length > 0 ? "\n" : string.Empty).Append(line[6..]);
                any = true;
            }
        }
    }

    /// <summary>Reads events, skipping heartbeats, until one matches.</summary>
    public async Task<SseEvent> NextMatchingAsync(Func<SseEvent, bool> predicate)
    {
        while (await NextAsync() is { } next)
        {
            if (next.Comment is null && predicate(next))
            {
                return next;
            }
        }

        throw new InvalidOperationException("The event stream ended before a matching event.");
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
