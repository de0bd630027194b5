using System.Net;
using Cancellable.Jobs.AspNetCore.Tests.Http;
using Cancellable.Jobs.AspNetCore.Tests.Support;

namespace Cancellable.Jobs.AspNetCore.Tests.Events;

public sealed class JobEventEndpointsTests
{
    [Fact]
    public async Task JobEvents_RunningJob_StreamsStateThenChangesThenRemoval()
    {
        await using var app = await TestApp.StartAsync();
        var id = await JobEndpointsTests.StartAsync(app, """{"type":"wait"}""");
        var running = await app.WaitForStatusAsync(id, JobStatus.Running);

        await using var stream = await SseStream.OpenAsync(app.Client, $"/admin/jobs/{id}/events");
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType!.MediaType);

        var first = await stream.NextMatchingAsync(_ => true);
        Assert.Equal("job", first.Event);
        Assert.Equal(running.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), first.Id);
        Assert.Equal("running", first.Json.GetProperty("status").GetString());

        await app.Client.PostAsync($"/admin/jobs/{id}/cancel", content: null);
        var cancelled = await stream.NextMatchingAsync(e => e.Json.GetProperty("status").GetString() == "cancelled");
        Assert.Equal(["a", "b"], cancelled.Json.GetProperty("partialResult").EnumerateArray().Select(e => e.GetString()));
        Assert.True(long.Parse(cancelled.Id!, System.Globalization.CultureInfo.InvariantCulture) > running.Version);

        await app.Client.DeleteAsync($"/admin/jobs/{id}");
        var removed = await stream.NextMatchingAsync(_ => true);
        Assert.Equal("removed", removed.Event);
        Assert.Equal(id, removed.Json.GetProperty("id").GetString());
        Assert.Null(await stream.NextAsync());
    }

    [Fact]
    public async Task JobEvents_LastEventIdOfCurrentVersion_SkipsStateTheClientHas()
    {
        await using var app = await TestApp.StartAsync();
        var id = await JobEndpointsTests.StartAsync(app, """{"type":"wait"}""");
        var running = await app.WaitForStatusAsync(id, JobStatus.Running);

        await using var stream = await SseStream.OpenAsync(app.Client, $"/admin/jobs/{id}/events", running.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await app.Manager.CancelAsync(id);

        var next = await stream.NextMatchingAsync(_ => true);
        Assert.True(long.Parse(next.Id!, System.Globalization.CultureInfo.InvariantCulture) > running.Version);
        Assert.NotEqual("running", next.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task JobEvents_Idle_SendsHeartbeatEveryInterval()
    {
        await using var app = await TestApp.StartAsync(o => o.HeartbeatInterval = TimeSpan.FromSeconds(5));
        // A job that reports nothing: moving the clock then fires the heartbeat and no progress write.
        var id = await JobEndpointsTests.StartAsync(app, """{"type":"idle"}""");
        await app.WaitForStatusAsync(id, JobStatus.Running);
        await using var stream = await SseStream.OpenAsync(app.Client, $"/admin/jobs/{id}/events");
        await stream.NextMatchingAsync(_ => true);

        app.Time.Advance(TimeSpan.FromSeconds(5));

        var heartbeat = await stream.NextAsync();
        Assert.Equal("heartbeat", heartbeat!.Comment);
        Assert.Null(heartbeat.Event);
    }

    [Fact]
    public async Task AllEvents_StreamsEveryJobWithIncreasingIds()
    {
        await using var app = await TestApp.StartAsync();
        await using var stream = await SseStream.OpenAsync(app.Client, "/admin/jobs/events");

        var id = await JobEndpointsTests.StartAsync(app, """{"type":"count","count":2}""");

        var created = await stream.NextMatchingAsync(_ => true);
        Assert.Equal("job", created.Event);
        Assert.Equal(id, created.Json.GetProperty("id").GetString());
        Assert.Equal("pending", created.Json.GetProperty("status").GetString());
        var completed = await stream.NextMatchingAsync(e => e.Json.GetProperty("status").GetString() == "completed");
        Assert.Equal(2, completed.Json.GetProperty("result").GetInt32());
        Assert.True(Sequence(completed.Id!) > Sequence(created.Id!));
        Assert.Equal(Epoch(created.Id!), Epoch(completed.Id!));
    }

    [Fact]
    public async Task AllEvents_Filter_StreamsOnlyMatchingJobs()
    {
        await using var app = await TestApp.StartAsync();
        await using var stream = await SseStream.OpenAsync(app.Client, "/admin/jobs/events?type=count");

        await JobEndpointsTests.StartAsync(app, """{"type":"wait"}""");
        var counted = await JobEndpointsTests.StartAsync(app, """{"type":"count","count":1}""");

        var first = await stream.NextMatchingAsync(_ => true);
        Assert.Equal(counted, first.Json.GetProperty("id").GetString());
    }

    /// <summary>
    /// A client of <c>/events?status=running</c> saw jobs become running but never leave: the feed filtered each change by
    /// the job after it, so the completion did not match and the client showed the job running for good.
    /// </summary>
    [Fact]
    public async Task AllEvents_StatusFilter_SendsTheEventWhereTheJobLeavesTheStatus()
    {
        await using var app = await TestApp.StartAsync();
        await using var stream = await SseStream.OpenAsync(app.Client, "/admin/jobs/events?status=running");

        var id = await JobEndpointsTests.StartAsync(app, """{"type":"pipeline"}""");
        var running = await stream.NextMatchingAsync(_ => true);
        Assert.Equal((id, "running"), (running.Json.GetProperty("id").GetString(), running.Json.GetProperty("status").GetString()));
        app.Gate.Open();
        await app.WaitForStatusAsync(id, JobStatus.Completed);
        // A job that becomes running after the completion: without the completion, the stream's next event is this one's.
        var later = await JobEndpointsTests.StartAsync(app, """{"type":"idle"}""");

        var left = await stream.NextMatchingAsync(e => e.Json.GetProperty("status").GetString() != "running" || e.Json.GetProperty("id").GetString() == later);
        Assert.Equal((id, "completed"), (left.Json.GetProperty("id").GetString(), left.Json.GetProperty("status").GetString()));
        Assert.True(Sequence(left.Id!) > Sequence(running.Id!));
    }

    [Fact]
    public async Task AllEvents_ResumeWithStatusFilter_ReplaysJobsThatLeftTheStatusSince()
    {
        await using var app = await TestApp.StartAsync();
        await using var live = await SseStream.OpenAsync(app.Client, "/admin/jobs/events");
        string id, lastSeen;
        await using (var stream = await SseStream.OpenAsync(app.Client, "/admin/jobs/events?status=running"))
        {
            id = await JobEndpointsTests.StartAsync(app, """{"type":"wait"}""");
            var running = await stream.NextMatchingAsync(e => e.Json.GetProperty("id").GetString() == id);
            Assert.Equal("running", running.Json.GetProperty("status").GetString());
            lastSeen = running.Id!;
        }

        // While the client is away, the job goes Running → Cancelling → Cancelled: its latest change is from Cancelling.
        await app.Client.PostAsync($"/admin/jobs/{id}/cancel", content: null);
        await live.NextMatchingAsync(e => e.Json.GetProperty("id").GetString() == id && e.Json.GetProperty("status").GetString() == "cancelled");
        await using var resumed = await SseStream.OpenAsync(app.Client, "/admin/jobs/events?status=running", lastSeen);
        var later = await JobEndpointsTests.StartAsync(app, """{"type":"idle"}""");

        var first = await resumed.NextMatchingAsync(_ => true);
        Assert.Equal((id, "cancelled"), (first.Json.GetProperty("id").GetString(), first.Json.GetProperty("status").GetString()));
        var next = await resumed.NextMatchingAsync(_ => true);
        Assert.Equal((later, "running"), (next.Json.GetProperty("id").GetString(), next.Json.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task AllEvents_ResumeWithLastEventId_SendsCurrentStateOfJobsChangedSince()
    {
        await using var app = await TestApp.StartAsync();
        string lastSeen, before;
        await using (var stream = await SseStream.OpenAsync(app.Client, "/admin/jobs/events"))
        {
            before = await JobEndpointsTests.StartAsync(app, """{"type":"count","count":1}""");
            lastSeen = (await stream.NextMatchingAsync(e => e.Json.GetProperty("id").GetString() == before && e.Json.GetProperty("status").GetString() == "completed")).Id!;
        }

        var missed = await JobEndpointsTests.StartAsync(app, """{"type":"count","count":3}""");
        await app.WaitForStatusAsync(missed, JobStatus.Completed);
        var gone = await JobEndpointsTests.StartAsync(app, """{"type":"count","count":4}""");
        await app.WaitForStatusAsync(gone, JobStatus.Completed);
        await app.Client.DeleteAsync($"/admin/jobs/{gone}");

        await using var resumed = await SseStream.OpenAsync(app.Client, "/admin/jobs/events", lastSeen);

        // The feed numbers changes on its own loop, so the replay may show an older state that live events then bring up
        // to date; what resume guarantees is reaching the current state of every job changed since, and nothing older.
        var seen = new List<SseEvent>();
        bool MissedCompleted() => seen.Any(e => e.Event == "job" && e.Json.GetProperty("id").GetString() == missed && e.Json.GetProperty("status").GetString() == "completed");
        bool GoneRemoved() => seen.Any(e => e.Event == "removed" && e.Json.GetProperty("id").GetString() == gone);
        while (!(MissedCompleted() && GoneRemoved()))
        {
            seen.Add(await resumed.NextMatchingAsync(_ => true));
        }

        Assert.DoesNotContain(seen, e => e.Json.GetProperty("id").GetString() == before);
        Assert.Equal(seen.Select(e => Sequence(e.Id!)).Order(), seen.Select(e => Sequence(e.Id!)));
    }

    [Fact]
    public async Task AllEvents_ResumeFromBeyondWhatTheFeedRemembers_SendsReset()
    {
        await using var app = await TestApp.StartAsync(o => o.EventResumeCapacity = 1);
        await using var live = await SseStream.OpenAsync(app.Client, "/admin/jobs/events");
        var first = await JobEndpointsTests.StartAsync(app, """{"type":"count","count":1}""");
        var earlyEvent = await live.NextMatchingAsync(_ => true);
        Assert.Equal(first, earlyEvent.Json.GetProperty("id").GetString());
        var early = earlyEvent.Id!;
        var second = await JobEndpointsTests.StartAsync(app, """{"type":"count","count":2}""");

        // Once a live stream saw the second job complete, the feed has numbered it and forgotten the first job.
        await live.NextMatchingAsync(e => e.Json.GetProperty("id").GetString() == second && e.Json.GetProperty("status").GetString() == "completed");
        await using var resumed = await SseStream.OpenAsync(app.Client, "/admin/jobs/events", early);

        Assert.Equal("reset", (await resumed.NextMatchingAsync(_ => true)).Event);
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("0123456789ab-1")]
    public async Task AllEvents_UnknownLastEventId_SendsReset(string lastEventId)
    {
        await using var app = await TestApp.StartAsync();

        await using var stream = await SseStream.OpenAsync(app.Client, "/admin/jobs/events", lastEventId);

        Assert.Equal("reset", (await stream.NextMatchingAsync(_ => true)).Event);
    }

    [Fact]
    public async Task AllEvents_BadFilter_Returns400()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetAsync("/admin/jobs/events?status=exploded");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static long Sequence(string id) => long.Parse(id[(id.IndexOf('-', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static string Epoch(string id) => id[..id.IndexOf('-', StringComparison.Ordinal)];
}
