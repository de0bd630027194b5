using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cancellable.Jobs.AspNetCore.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.AspNetCore.Tests.Http;

public sealed class JobEndpointsTests
{
    private const string SeedBody = """{"type":"removal_workflow","groupWaId":"120363403645737238@g.us","batchSize":5,"delayMs":10000,"dryRun":true,"inactivityWindowMs":2592000000}""";

    [Fact]
    public async Task Start_SeedBody_Returns202WithLocationAndPendingJob()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.PostJsonAsync("/admin/jobs/start", SeedBody);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.JsonAsync();
        var jobId = body.GetProperty("jobId").GetString()!;
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal($"/admin/jobs/{jobId}", response.Headers.Location!.OriginalString);
        var input = body.GetProperty("job").GetProperty("input");
        Assert.Equal("120363403645737238@g.us", input.GetProperty("groupWaId").GetString());
        Assert.Equal(5, input.GetProperty("batchSize").GetInt32());
        Assert.False(input.TryGetProperty("type", out _));
        Assert.NotNull(await app.Manager.GetAsync(jobId));
    }

    [Fact]
    public async Task Start_ExplicitBody_UsesInputTagsAndTimeout()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.PostJsonAsync("/admin/jobs/start", """{"type":"count","input":{"count":3},"tags":["project:7"],"timeout":"00:05:00"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await app.Manager.GetAsync((await response.JsonAsync()).GetProperty("jobId").GetString()!);
        Assert.Equal(3, job!.Input!.Value.GetProperty("count").GetInt32());
        Assert.Equal(["project:7"], job.Tags);
        Assert.Equal(TimeSpan.FromMinutes(5), job.Timeout);
    }

    [Fact]
    public async Task Start_AuthenticatedUser_OwnerIsUserName()
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/jobs/start").Json("""{"type":"count","count":1}""").With("X-Test-User", "alice");

        var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("alice", (await response.JsonAsync()).GetProperty("job").GetProperty("owner").GetString());
    }

    [Fact]
    public async Task Start_ExplicitBodyWithOwner_Returns400AndStartsNothing()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.PostJsonAsync("/admin/jobs/start", """{"type":"count","input":{"count":1},"owner":"mallory"}""");

        await AssertValidationProblemAsync(response, "owner");
        await AssertNoJobsAsync(app);
    }

    [Fact]
    public async Task Start_UnknownType_Returns400NamingTypeAndStartsNothing()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.PostJsonAsync("/admin/jobs/start", """{"type":"nope","x":1}""");

        var problem = await AssertValidationProblemAsync(response, "type");
        Assert.Contains("nope", problem.GetProperty("errors").GetProperty("type")[0].GetString(), StringComparison.Ordinal);
        await AssertNoJobsAsync(app);
    }

    [Fact]
    public async Task Start_InvalidInput_Returns400NamingEachProblem()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.PostJsonAsync("/admin/jobs/start", """{"type":"removal_workflow","batchSize":500,"delayMs":10}""");

        var problem = await AssertValidationProblemAsync(response, "GroupWaId");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("BatchSize", out _));
        Assert.True(errors.TryGetProperty("DelayMs", out _));
        await AssertNoJobsAsync(app);
    }

    [Fact]
    public async Task Start_InputOfWrongShape_Returns400()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.PostJsonAsync("/admin/jobs/start", """{"type":"count","input":{"count":"many"}}""");

        await AssertValidationProblemAsync(response, "count");
        await AssertNoJobsAsync(app);
    }

    [Theory]
    [InlineData("""{"count":1}""", "type")]
    [InlineData("""{"type":42}""", "type")]
    [InlineData("""[1,2]""", "body")]
    [InlineData("""{"type":"count",""", "body")]
    [InlineData("""{"type":"count","input":{"count":1},"tags":[1]}""", "tags")]
    [InlineData("""{"type":"count","input":{"count":1},"timeout":-5}""", "timeout")]
    public async Task Start_BadBody_Returns400NamingTheProblem(string body, string member)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.PostJsonAsync("/admin/jobs/start", body);

        await AssertValidationProblemAsync(response, member);
        await AssertNoJobsAsync(app);
    }

    [Fact]
    public async Task Start_EmptyBody_Returns400()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.PostAsync("/admin/jobs/start", content: null);

        await AssertValidationProblemAsync(response, "body");
    }

    [Fact]
    public async Task Start_NotJson_Returns415()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.PostAsync("/admin/jobs/start", new StringContent("""{"type":"count","count":1}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertNoJobsAsync(app);
    }

    [Fact]
    public async Task Start_OversizeBodyWithLength_Returns413()
    {
        await using var app = await TestApp.StartAsync(o => o.MaxRequestBodySize = 100);

        var response = await app.Client.PostJsonAsync("/admin/jobs/start", $$"""{"type":"wait","note":"{{new string('x', 200)}}"}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        await AssertNoJobsAsync(app);
    }

    [Fact]
    public async Task Start_OversizeBodyWithoutLength_Returns413()
    {
        await using var app = await TestApp.StartAsync(o => o.MaxRequestBodySize = 100);
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"type":"wait","note":"{{new string('x', 200)}}"}""")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/jobs/start") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNoJobsAsync(app);
    }

    [Fact]
    public async Task Start_WaitingBoundReached_Returns429()
    {
        await using var app = await TestApp.StartAsync(configureJobs: o =>
        {
            o.MaxConcurrentJobs = 1;
            o.MaxPendingJobs = 1;
        });
        var running = await StartAsync(app, """{"type":"wait"}""");
        await app.WaitForStatusAsync(running, JobStatus.Running);
        await StartAsync(app, """{"type":"wait"}""");

        var response = await app.Client.PostJsonAsync("/admin/jobs/start", """{"type":"wait"}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(429, (await response.JsonAsync()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task List_FiltersAndPages()
    {
        await using var app = await TestApp.StartAsync();
        var first = await StartAsync(app, """{"type":"count","input":{"count":1},"tags":["project:1"]}""");
        var second = await StartAsync(app, """{"type":"count","input":{"count":2},"tags":["project:2"]}""");
        await app.WaitForStatusAsync(first, JobStatus.Completed);
        await app.WaitForStatusAsync(second, JobStatus.Completed);
        var waiting = await StartAsync(app, """{"type":"wait"}""");
        await app.WaitForStatusAsync(waiting, JobStatus.Running);

        var byTag = await (await app.Client.GetAsync("/admin/jobs?tag=project:2")).JsonAsync();
        Assert.Equal([second], byTag.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()));

        var byStatus = await (await app.Client.GetAsync("/admin/jobs?status=running&type=wait")).JsonAsync();
        Assert.Equal([waiting], byStatus.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()));

        var page1 = await (await app.Client.GetAsync("/admin/jobs?status=Completed&pageSize=1")).JsonAsync();
        var token = page1.GetProperty("continuationToken").GetString();
        var page2 = await (await app.Client.GetAsync($"/admin/jobs?status=completed&pageSize=1&continuationToken={Uri.EscapeDataString(token!)}")).JsonAsync();
        var ids = page1.GetProperty("items").EnumerateArray().Concat(page2.GetProperty("items").EnumerateArray()).Select(j => j.GetProperty("id").GetString()).ToList();
        Assert.Equal([second, first], ids);
    }

    [Theory]
    [InlineData("status=exploded", "status")]
    [InlineData("status=3", "status")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=1001", "pageSize")]
    [InlineData("pageSize=abc", "pageSize")]
    [InlineData("continuationToken=garbage", "continuationToken")]
    public async Task List_BadQuery_Returns400(string query, string member)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetAsync($"/admin/jobs?{query}");

        await AssertValidationProblemAsync(response, member);
    }

    [Theory]
    [InlineData("/admin/jobs/{0}")]
    [InlineData("/admin/jobs/{0}/status")]
    public async Task Get_KnownJob_ReturnsItInCamelCaseWithStringEnums(string path)
    {
        await using var app = await TestApp.StartAsync();
        var id = await StartAsync(app, """{"type":"count","input":{"count":4}}""");
        await app.WaitForStatusAsync(id, JobStatus.Completed);

        var response = await app.Client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, path, id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var job = await response.JsonAsync();
        Assert.Equal(id, job.GetProperty("id").GetString());
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal(4, job.GetProperty("result").GetInt32());
        Assert.Equal(1.0, job.GetProperty("progress").GetProperty("fraction").GetDouble());
        Assert.False(job.TryGetProperty("runId", out _));
    }

    [Theory]
    [InlineData("GET", "/admin/jobs/nope")]
    [InlineData("GET", "/admin/jobs/nope/status")]
    [InlineData("GET", "/admin/jobs/nope/events")]
    [InlineData("POST", "/admin/jobs/nope/cancel")]
    [InlineData("POST", "/admin/jobs/nope/retry")]
    [InlineData("DELETE", "/admin/jobs/nope")]
    public async Task AnyJobEndpoint_UnknownJob_Returns404ProblemDetails(string method, string path)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Contains("nope", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/admin/jobs/x/cancel")]
    [InlineData("GET", "/admin/jobs/x/retry")]
    [InlineData("PUT", "/admin/jobs/cancel-all")]
    [InlineData("PUT", "/admin/jobs/x")]
    public async Task StateChangingEndpoints_OtherMethods_Return405(string method, string path)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Stats_CountsPerStatusAndGroups()
    {
        await using var app = await TestApp.StartAsync();
        var done = await StartAsync(app, """{"type":"count","input":{"count":1},"tags":["project:1"]}""", user: "alice");
        await app.WaitForStatusAsync(done, JobStatus.Completed);
        var running = await StartAsync(app, """{"type":"wait","input":{},"tags":["project:2"]}""", user: "bob");
        await app.WaitForStatusAsync(running, JobStatus.Running);

        var overall = await (await app.Client.GetAsync("/admin/jobs/stats")).JsonAsync();
        Assert.Equal(1, overall.GetProperty("overall").GetProperty("completed").GetInt32());
        Assert.Equal(1, overall.GetProperty("overall").GetProperty("running").GetInt32());
        Assert.Equal(2, overall.GetProperty("overall").GetProperty("total").GetInt32());
        Assert.Equal(0, overall.GetProperty("groups").GetArrayLength());

        var byOwner = await (await app.Client.GetAsync("/admin/jobs/stats?groupBy=owner")).JsonAsync();
        var groups = byOwner.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("key").GetString()!, g => g.GetProperty("counts"));
        Assert.Equal(1, groups["alice"].GetProperty("completed").GetInt32());
        Assert.Equal(1, groups["bob"].GetProperty("running").GetInt32());

        var byTag = await (await app.Client.GetAsync("/admin/jobs/stats?groupBy=tag&keyPrefix=project:2")).JsonAsync();
        Assert.Equal(["project:2"], byTag.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task Stats_UnknownGrouping_Returns400()
    {
        await using var app = await TestApp.StartAsync();

        await AssertValidationProblemAsync(await app.Client.GetAsync("/admin/jobs/stats?groupBy=color"), "groupBy");
    }

    [Fact]
    public async Task Cancel_RunningJob_Returns202AndEndsCancelledWithPartialResult()
    {
        await using var app = await TestApp.StartAsync();
        var id = await StartAsync(app, """{"type":"wait"}""");
        await app.WaitForStatusAsync(id, JobStatus.Running);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/jobs/{id}/cancel").With("X-Test-User", "alice");
        var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("accepted", body.GetProperty("outcome").GetString());
        Assert.Equal("cancelling", body.GetProperty("status").GetString());
        var cancelled = await app.WaitForStatusAsync(id, JobStatus.Cancelled);
        Assert.Equal("alice", cancelled.CancelRequestedBy);
        var job = await (await app.Client.GetAsync($"/admin/jobs/{id}")).JsonAsync();
        Assert.Equal("cancelled", job.GetProperty("status").GetString());
        Assert.Equal("requested", job.GetProperty("cancelReason").GetString());
        Assert.Equal(["a", "b"], job.GetProperty("partialResult").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Cancel_PendingJob_Returns200Cancelled()
    {
        await using var app = await TestApp.StartAsync(configureJobs: o => o.MaxConcurrentJobs = 1);
        var blocker = await StartAsync(app, """{"type":"wait"}""");
        await app.WaitForStatusAsync(blocker, JobStatus.Running);
        var pending = await StartAsync(app, """{"type":"count","count":1}""");

        var response = await app.Client.PostAsync($"/admin/jobs/{pending}/cancel", content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("applied", body.GetProperty("outcome").GetString());
        Assert.Equal("cancelled", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cancel_FinishedJob_Returns409NamingTheStatus()
    {
        await using var app = await TestApp.StartAsync();
        var id = await StartAsync(app, """{"type":"count","count":1}""");
        await app.WaitForStatusAsync(id, JobStatus.Completed);

        var response = await app.Client.PostAsync($"/admin/jobs/{id}/cancel", content: null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("completed", problem.GetProperty("jobStatus").GetString());
        Assert.Equal(JobStatus.Completed, (await app.Manager.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task CancelAll_WithFilter_CancelsMatchingAndReturnsCount()
    {
        await using var app = await TestApp.StartAsync();
        var a = await StartAsync(app, """{"type":"wait","input":{},"tags":["project:1"]}""");
        var b = await StartAsync(app, """{"type":"wait","input":{},"tags":["project:1"]}""");
        var other = await StartAsync(app, """{"type":"wait","input":{},"tags":["project:2"]}""");
        await app.WaitForStatusAsync(other, JobStatus.Running);

        var response = await app.Client.PostJsonAsync("/admin/jobs/cancel-all", """{"tag":"project:1"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.JsonAsync()).GetProperty("count").GetInt32());
        await app.WaitForStatusAsync(a, JobStatus.Cancelled);
        await app.WaitForStatusAsync(b, JobStatus.Cancelled);
        Assert.Equal(JobStatus.Running, (await app.Manager.GetAsync(other))!.Status);
    }

    [Fact]
    public async Task CancelAll_NoBody_CancelsEveryActiveJob()
    {
        await using var app = await TestApp.StartAsync();
        var a = await StartAsync(app, """{"type":"wait"}""");
        var b = await StartAsync(app, """{"type":"wait"}""");

        var response = await app.Client.PostAsync("/admin/jobs/cancel-all", content: null);

        Assert.Equal(2, (await response.JsonAsync()).GetProperty("count").GetInt32());
        await app.WaitForStatusAsync(a, JobStatus.Cancelled);
        await app.WaitForStatusAsync(b, JobStatus.Cancelled);
    }

    [Fact]
    public async Task CancelAll_BadFilter_Returns400()
    {
        await using var app = await TestApp.StartAsync();

        await AssertValidationProblemAsync(await app.Client.PostJsonAsync("/admin/jobs/cancel-all", """{"status":"exploded"}"""), "status");
    }

    [Theory]
    [InlineData("""{"stauts":"running"}""")]
    [InlineData("""{"status":"running","project":"1"}""")]
    public async Task CancelAll_UnknownFilterProperty_Returns400AndCancelsNothing(string body)
    {
        await using var app = await TestApp.StartAsync();
        var id = await StartAsync(app, """{"type":"wait"}""");
        await app.WaitForStatusAsync(id, JobStatus.Running);

        var response = await app.Client.PostJsonAsync("/admin/jobs/cancel-all", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(JobStatus.Running, (await app.Manager.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task AnyEndpoint_UnexpectedError_Returns500WithoutDetails()
    {
        await using var app = await TestApp.StartAsync(configureBuilder: b => b.Services.AddSingleton(ThrowingJobManager.Create()));

        var response = await app.Client.GetAsync("/admin/jobs/stats");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret-internal-detail", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyEndpoint_UnexpectedErrorWithStackTracesOptedIn_Returns500WithTheException()
    {
        await using var app = await TestApp.StartAsync(o => o.IncludeStackTraces = true, configureBuilder: b => b.Services.AddSingleton(ThrowingJobManager.Create()));

        var response = await app.Client.GetAsync("/admin/jobs/stats");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("secret-internal-detail", (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_CancelledJob_Returns200WithNextAttempt()
    {
        await using var app = await TestApp.StartAsync();
        var id = await StartAsync(app, """{"type":"wait"}""");
        await app.WaitForStatusAsync(id, JobStatus.Running);
        await app.Manager.CancelAsync(id);
        await app.WaitForStatusAsync(id, JobStatus.Cancelled);

        var response = await app.Client.PostAsync($"/admin/jobs/{id}/retry", content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(2, body.GetProperty("job").GetProperty("attempt").GetInt32());
        Assert.Equal("cancelled", body.GetProperty("job").GetProperty("previousAttempts")[0].GetProperty("status").GetString());
        await app.WaitForStatusAsync(id, JobStatus.Running);
    }

    [Fact]
    public async Task Retry_CompletedJob_Returns409()
    {
        await using var app = await TestApp.StartAsync();
        var id = await StartAsync(app, """{"type":"count","count":1}""");
        await app.WaitForStatusAsync(id, JobStatus.Completed);

        var response = await app.Client.PostAsync($"/admin/jobs/{id}/retry", content: null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Delete_FinishedJob_Returns200AndRemovesIt()
    {
        await using var app = await TestApp.StartAsync();
        var id = await StartAsync(app, """{"type":"count","count":1}""");
        await app.WaitForStatusAsync(id, JobStatus.Completed);

        var response = await app.Client.DeleteAsync($"/admin/jobs/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("applied", (await response.JsonAsync()).GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync($"/admin/jobs/{id}")).StatusCode);
    }

    [Fact]
    public async Task Delete_RunningJob_Returns202CancelsAndRemovesIt()
    {
        await using var app = await TestApp.StartAsync();
        var id = await StartAsync(app, """{"type":"wait"}""");
        await app.WaitForStatusAsync(id, JobStatus.Running);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var removed = WaitForRemovalAsync(app, id, timeout.Token);

        var response = await app.Client.DeleteAsync($"/admin/jobs/{id}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(JobStatus.Cancelled, (await removed).Status);
        Assert.Null(await app.Manager.GetAsync(id));
    }

    [Fact]
    public async Task Get_FailedJob_HidesStackTraceByDefault()
    {
        await using var app = await TestApp.StartAsync();
        var id = await StartAsync(app, """{"type":"fail"}""");
        await app.WaitForStatusAsync(id, JobStatus.Failed);

        var job = await (await app.Client.GetAsync($"/admin/jobs/{id}")).JsonAsync();

        var error = job.GetProperty("error");
        Assert.Equal("boom", error.GetProperty("message").GetString());
        Assert.Equal("System.InvalidOperationException", error.GetProperty("type").GetString());
        Assert.False(error.TryGetProperty("stackTrace", out _));
        Assert.NotNull((await app.Manager.GetAsync(id))!.Error!.StackTrace);
    }

    [Fact]
    public async Task Get_FailedJobWithStackTracesOptedIn_ShowsStackTrace()
    {
        await using var app = await TestApp.StartAsync(o => o.IncludeStackTraces = true);
        var id = await StartAsync(app, """{"type":"fail"}""");
        await app.WaitForStatusAsync(id, JobStatus.Failed);

        var job = await (await app.Client.GetAsync($"/admin/jobs/{id}")).JsonAsync();

        Assert.Contains("FailJob", job.GetProperty("error").GetProperty("stackTrace").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_FailedJob_HidesStackTracesOfEarlierAttempts()
    {
        await using var app = await TestApp.StartAsync();
        var id = await StartAsync(app, """{"type":"fail"}""");
        await app.WaitForStatusAsync(id, JobStatus.Failed);

        var body = await (await app.Client.PostAsync($"/admin/jobs/{id}/retry", content: null)).JsonAsync();

        var previous = body.GetProperty("job").GetProperty("previousAttempts")[0].GetProperty("error");
        Assert.Equal("boom", previous.GetProperty("message").GetString());
        Assert.False(previous.TryGetProperty("stackTrace", out _));
    }

    internal static async Task<string> StartAsync(TestApp app, string body, string? user = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/jobs/start").Json(body);
        if (user is not null)
        {
            request.With("X-Test-User", user);
        }

        var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("jobId").GetString()!;
    }

    private static async Task<JsonElement> AssertValidationProblemAsync(HttpResponseMessage response, string member)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(member, out var messages), $"No error for '{member}' in {errors}");
        Assert.NotEmpty(messages[0].GetString()!);
        return problem;
    }

    private static async Task AssertNoJobsAsync(TestApp app) =>
        Assert.Empty((await app.Manager.ListAsync(new JobQuery())).Items);

    private static async Task<JobSnapshot> WaitForRemovalAsync(TestApp app, string id, CancellationToken cancellationToken)
    {
        await foreach (var change in app.Manager.WatchAsync(id, cancellationToken))
        {
            if (change.Kind == JobChangeKind.Removed)
            {
                return change.Job;
            }
        }

        throw new InvalidOperationException("The watch ended without a removal.");
    }
}
