using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cancellable.Jobs.AspNetCore.Events;

/// <summary>
/// Writes a <c>text/event-stream</c> response: the events a producer queues, each flushed at once, and a heartbeat
/// comment every interval on the injected <see cref="TimeProvider"/>.
/// </summary>
internal static class ServerSentEventWriter
{
    public static async Task StreamAsync(
        HttpContext context,
        TimeProvider timeProvider,
        TimeSpan heartbeatInterval,
        CancellationToken stopping,
        Func<ChannelWriter<string>, CancellationToken, Task> produce)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var token = cancellation.Token;
        // Bounded: a client that reads slowly slows its producer (whose own buffer then skips or resets), never memory.
        var frames = Channel.CreateBounded<string>(new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        // The heartbeat's timer exists before the first byte is sent, so a client that saw the stream open can count on it.
        var heartbeat = HeartbeatAsync(frames.Writer, timeProvider, heartbeatInterval, token);
        var producer = ProduceAsync(frames.Writer, produce, token);
        try
        {
            await response.WriteAsync("retry: 3000\n\n", token).ConfigureAwait(false);
            await response.Body.FlushAsync(token).ConfigureAwait(false);
            await foreach (var frame in frames.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                await response.WriteAsync(frame, Encoding.UTF8, token).ConfigureAwait(false);
                await response.Body.FlushAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client left or the app is stopping: the stream ends.
        }
        finally
        {
            await cancellation.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(producer, heartbeat).ConfigureAwait(false);
        }
    }

    public static string Event(string eventName, string? id, string data)
    {
        var builder = new StringBuilder(data.Length + 64);
        if (id is not null)
        {
            builder.Append("id: ").Append(id).Append('\n');
        }

        builder.Append("event: ").Append(eventName).Append('\n');
        foreach (var line in data.Split('\n'))
        {
            builder.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        }

        return builder.Append('\n').ToString();
    }

    private static async Task ProduceAsync(ChannelWriter<string> writer, Func<ChannelWriter<string>, CancellationToken, Task> produce, CancellationToken token)
    {
        try
        {
            await produce(writer, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            writer.TryComplete();
        }
    }

    private static async Task HeartbeatAsync(ChannelWriter<string> writer, TimeProvider timeProvider, TimeSpan interval, CancellationToken token)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                // A full queue means the stream is busy and needs no heartbeat: skip this one, keep the next. (Returning
                // here once stopped the heartbeats for good after a burst met a slow client.) The stream's end cancels us.
                writer.TryWrite(": heartbeat\n\n");
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }
}
