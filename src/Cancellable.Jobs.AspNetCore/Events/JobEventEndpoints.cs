using System.Globalization;
using System.Text.Json;
using Cancellable.Jobs.AspNetCore.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.AspNetCore.Events;

/// <summary>
/// The server-sent event streams: <c>GET {prefix}/{id}/events</c> for one job and <c>GET {prefix}/events</c> for all.
/// </summary>
/// <remarks>
/// <para>
/// Each <c>job</c> event carries the whole job as JSON, so the newest event always tells the current state; a
/// <c>removed</c> event carries the job as it was last held. On resume (<c>Last-Event-ID</c>, or the
/// <c>lastEventId</c> query parameter) a stream sends the current state of each job that changed since that event,
/// not every intermediate change; when it cannot tell what changed it sends a <c>reset</c> event, after which the client
/// reloads through the list API.
/// </para>
/// <para>
/// <c>GET {prefix}/events?status=…</c> sends the changes to jobs that have the status after the change or had it before
/// (<see cref="JobFilter.Matches(JobChange)"/>): a client of <c>?status=running</c> also gets the event that takes each
/// job out of Running, and on resume the current state of each job that left Running since its last event.
/// </para>
/// </remarks>
internal sealed class JobEventEndpoints(CancellableJobsEndpointOptions options, JobEndpoints endpoints, JobChangeFeed feed, CancellationToken stopping)
{
    private Func<FeedEvent, string>? _formatFeedEvent;

    public async Task JobEventsAsync(HttpContext context)
    {
        var manager = JobEndpoints.Manager(context);
        if (!JobEndpoints.TryGetJobId(context, out var id) || await manager.GetAsync(id, context.RequestAborted).ConfigureAwait(false) is null)
        {
            await JobEndpoints.NotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }

        long? resumeAfter = long.TryParse(LastEventId(context), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
        await ServerSentEventWriter.StreamAsync(context, TimeProviderOf(context), options.HeartbeatInterval, stopping, async (writer, token) =>
        {
            await foreach (var change in manager.WatchAsync(id, token).ConfigureAwait(false))
            {
                var eventId = change.Job.Version.ToString(CultureInfo.InvariantCulture);
                if (change.Kind == JobChangeKind.Removed)
                {
                    await writer.WriteAsync(Frame("removed", eventId, change.Job), token).ConfigureAwait(false);
                    return;
                }

                if (resumeAfter is { } after && change.Job.Version <= after)
                {
                    continue;
                }

                await writer.WriteAsync(Frame("job", eventId, change.Job), token).ConfigureAwait(false);
            }

            // The job was gone before the stream began: say so rather than stay silent.
            await writer.WriteAsync(ServerSentEventWriter.Event("removed", null, JsonSerializer.Serialize(id, JobsJsonContext.Default.String)), token).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public async Task AllEventsAsync(HttpContext context)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var filter = JobEndpoints.ReadFilter(context.Request.Query, errors);
        if (errors.Count > 0)
        {
            await JobProblems.WriteValidationAsync(context, errors, "The query is invalid.").ConfigureAwait(false);
            return;
        }

        var (subscriber, replay, reset) = feed.Subscribe(filter, LastEventId(context));
        try
        {
            await ServerSentEventWriter.StreamAsync(context, TimeProviderOf(context), options.HeartbeatInterval, stopping, async (writer, token) =>
            {
                if (reset)
                {
                    await writer.WriteAsync(ServerSentEventWriter.Event("reset", null, "{}"), token).ConfigureAwait(false);
                }

                foreach (var item in replay)
                {
                    await writer.WriteAsync(Frame(item), token).ConfigureAwait(false);
                }

                await foreach (var item in subscriber.Reader.ReadAllAsync(token).ConfigureAwait(false))
                {
                    await writer.WriteAsync(Frame(item), token).ConfigureAwait(false);
                }

                if (subscriber.IsReset)
                {
                    // Fell behind or the feed restarted: the client reconnects and is told to reload.
                    await writer.WriteAsync(ServerSentEventWriter.Event("reset", null, "{}"), token).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            feed.Unsubscribe(subscriber);
        }
    }

    private static string? LastEventId(HttpContext context)
    {
        var header = context.Request.Headers["Last-Event-ID"].ToString();
        if (header.Length > 0)
        {
            return header;
        }

        var query = context.Request.Query["lastEventId"].ToString();
        return query.Length > 0 ? query : null;
    }

    private static TimeProvider TimeProviderOf(HttpContext context) =>
        context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;

    private string Frame(FeedEvent item) => item.GetFrame(_formatFeedEvent ??= e =>
        Frame(e.Change.Kind == JobChangeKind.Removed ? "removed" : "job", e.Id, e.Change.Job));

    private string Frame(string eventName, string id, JobSnapshot job) =>
        ServerSentEventWriter.Event(eventName, id, JsonSerializer.Serialize(endpoints.Sanitize(job), JobsJsonContext.Default.JobSnapshot));
}
