using Cancellable.Jobs.AspNetCore.Events;
using Cancellable.Jobs.AspNetCore.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cancellable.Jobs.AspNetCore.Tests.Events;

/// <summary>
/// The all-jobs event stream under clients that stop reading: the response pipe of the test server holds 64 KB, then
/// the stream's frame queue (256) and the feed's per-subscriber queue (1,024) fill, and the client is dropped.
/// </summary>
public sealed class JobChangeFeedTests
{
    private const int Jobs = 1_500;

    [Fact]
    public async Task AllEvents_ClientStopsReading_IsDroppedWithResetAndDoesNotHoldUpAnotherClient()
    {
        await using var app = await TestApp.StartAsync();
        await using var stuck = await SseStream.OpenAsync(app.Client, "/admin/jobs/events");
        await using var reader = await SseStream.OpenAsync(app.Client, "/admin/jobs/events");

        // In batches the reading client keeps up with: it gets every job's completion although the other one reads nothing.
        var (started, completed) = await RunBatchesAsync(app, reader, Jobs, batch: 100);
        Assert.Equal(started.Order(StringComparer.Ordinal), completed.Order(StringComparer.Ordinal));

        // The stuck client finds, when it reads at last, a bounded backlog, a reset, and the end of its stream.
        var backlog = 0;
        SseEvent? last = null;
        while (await stuck.NextAsync() is { } next)
        {
            backlog += next.Event == "job" ? 1 : 0;
            last = next;
        }

        Assert.Equal("reset", last?.Event);
        // At most the feed's queue, the stream's frame queue and what a 64 KB pipe holds of events of 160 bytes or more;
        // far fewer than the 4,500 events the jobs made.
        Assert.InRange(backlog, 1, 1_024 + 256 + (65_536 / 160));
    }

    /// <summary>Starts count jobs in batches, reading <paramref name="reader"/> until each batch's jobs completed.</summary>
    internal static async Task<(List<string> Started, List<string> Completed)> RunBatchesAsync(TestApp app, SseStream reader, int jobs, int batch)
    {
        var started = new List<string>();
        var completed = new List<string>();
        while (started.Count < jobs)
        {
            for (var i = 0; i < batch && started.Count < jobs; i++)
            {
                started.Add((await app.Manager.StartAsync("count", new CountInput(1))).Id);
            }

            while (completed.Count < started.Count)
            {
                var next = await reader.NextMatchingAsync(_ => true);
                Assert.Equal("job", next.Event);
                if (next.Json.GetProperty("status").GetString() == "completed")
                {
                    completed.Add(next.Json.GetProperty("id").GetString()!);
                }
            }
        }

        return (started, completed);
    }

    [Fact]
    public async Task Publish_ManySubscribers_QueueOneEventFormattedOnce()
    {
        await using var app = await TestApp.StartAsync();
        using var stopping = new CancellationTokenSource();
        var feed = new JobChangeFeed(app.Manager, capacity: 100, stopping.Token, NullLogger.Instance);
        var subscribers = Enumerable.Range(0, 3).Select(_ => feed.Subscribe(new JobFilter(), lastEventId: null).Subscriber).ToList();

        await app.Manager.StartAsync("idle", new WaitInput(null));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<FeedEvent>();
        foreach (var subscriber in subscribers)
        {
            events.Add(await subscriber.Reader.ReadAsync(timeout.Token));
        }

        var formats = 0;
        var frames = events.Select(e => e.GetFrame(f =>
        {
            Interlocked.Increment(ref formats);
            return $"frame {f.Id}";
        })).ToList();

        Assert.All(events, e => Assert.Same(events[0], e));
        Assert.Equal(1, formats);
        Assert.All(frames, f => Assert.Same(frames[0], f));
        await stopping.CancelAsync();
    }
}
