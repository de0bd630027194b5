using Cancellable.Jobs.AspNetCore.Tests.Support;

namespace Cancellable.Jobs.AspNetCore.Tests.Events;

public sealed class ServerSentEventWriterTests
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Heartbeat_TickWhileASlowClientLetTheQueueFill_KeepsBeatingOnceTheClientCatchesUp()
    {
        await using var app = await TestApp.StartAsync(o => o.HeartbeatInterval = Heartbeat);
        await using var slow = await SseStream.OpenAsync(app.Client, "/admin/jobs/events");
        await using var reader = await SseStream.OpenAsync(app.Client, "/admin/jobs/events");

        // 250 jobs make about 750 events: more than the slow stream's pipe (64 KB) and frame queue (256) hold, fewer
        // than would make the feed drop it (1,024 more).
        const int Jobs = 250;
        await JobChangeFeedTests.RunBatchesAsync(app, reader, Jobs, batch: 50);

        // The slow stream's queue is full now: this beat cannot be queued.
        app.Time.Advance(Heartbeat);
        var heartbeatWhileFull = await reader.NextAsync();
        Assert.Equal("heartbeat", heartbeatWhileFull!.Comment);

        var slowCompleted = 0;
        while (slowCompleted < Jobs)
        {
            var next = await slow.NextMatchingAsync(_ => true);
            Assert.Equal("job", next.Event);
            slowCompleted += next.Json.GetProperty("status").GetString() == "completed" ? 1 : 0;
        }

        app.Time.Advance(Heartbeat);
        var heartbeat = await slow.NextAsync();

        Assert.Equal("heartbeat", heartbeat!.Comment);
    }
}
