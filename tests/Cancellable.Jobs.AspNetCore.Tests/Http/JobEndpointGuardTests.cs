using System.Net;
using Cancellable.Jobs.AspNetCore.Tests.Support;
using Cancellable.Jobs.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.AspNetCore.Tests.Http;

public sealed class JobEndpointGuardTests
{
    public static TheoryData<string, string> AllEndpoints => new()
    {
        { "GET", "/admin/jobs" },
        { "GET", "/admin/jobs/stats" },
        { "GET", "/admin/jobs/events" },
        { "GET", "/admin/jobs/ui" },
        { "POST", "/admin/jobs/start" },
        { "POST", "/admin/jobs/cancel-all" },
        { "GET", "/admin/jobs/{id}" },
        { "GET", "/admin/jobs/{id}/status" },
        { "GET", "/admin/jobs/{id}/events" },
        { "POST", "/admin/jobs/{id}/cancel" },
        { "POST", "/admin/jobs/{id}/retry" },
        { "DELETE", "/admin/jobs/{id}" },
    };

    private sealed class CapturingLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }

    [Fact]
    public async Task Wrap_UnexpectedErrorOnPathWithLineBreaks_LogsThePathPercentEncodedOnOneLine()
    {
        // Regression: the decoded path was logged, so "%0D%0A" in a request's path forged a log line.
        var logger = new CapturingLogger();
        var guard = new JobEndpointGuard(new CancellableJobsEndpointOptions { AllowAnonymousRemoteAccess = true }, logger);
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/admin/jobs/x\r\ninfo: Forged[0] done";
        context.Response.Body = new MemoryStream();

        await guard.Wrap(_ => throw new InvalidOperationException("boom"), changesState: false)(context);

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("Unexpected error serving GET /admin/jobs/x%0D%0Ainfo:%20Forged%5B0%5D%20done", Assert.Single(logger.Messages));
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Default_RemoteRequest_Returns403AndChangesNothing(string method, string path)
    {
        await using var app = await TestApp.StartAsync();
        var id = await RunningJobAsync(app);

        var response = await app.Client.SendAsync(Request(method, path, id).With("X-Test-Remote", "203.0.113.7"));

        await AssertForbiddenAsync(response, "Only local requests");
        var jobs = (await app.Manager.ListAsync(new JobQuery())).Items;
        Assert.Equal(JobStatus.Running, Assert.Single(jobs).Status);
    }

    [Theory]
    [MemberData(nameof(AllEndpoints))]
    public async Task Default_LoopbackRequest_IsServed(string method, string path)
    {
        await using var app = await TestApp.StartAsync();
        var id = await RunningJobAsync(app);

        using var response = await app.Client.SendAsync(Request(method, path, id), HttpCompletionOption.ResponseHeadersRead);

        // Served means the endpoint itself answered: retry of a running job is a 409 from the job's state, not the guard.
        if (path.EndsWith("/retry", StringComparison.Ordinal))
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        }
        else
        {
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Default_NoRemoteAddress_Returns403()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/jobs").With("X-Test-Remote", "none"));

        await AssertForbiddenAsync(response, "Only local requests");
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7")]
    [InlineData("X-Real-IP", "203.0.113.7")]
    [InlineData("X-Original-For", "203.0.113.7:1234")]
    [InlineData("X-Forwarded-Host", "admin.example.com")]
    public async Task Default_LoopbackThroughProxy_Returns403(string header, string value)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/jobs").With(header, value));

        await AssertForbiddenAsync(response, "Only local requests");
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("127.0.0.2")]
    public async Task Default_OtherLoopbackForms_AreServed(string address)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/jobs").With("X-Test-Remote", address));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Default_LoopbackUnderForeignHostName_Returns403()
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/jobs");
        request.Headers.Host = "attacker.example";

        var response = await app.Client.SendAsync(request);

        await AssertForbiddenAsync(response, "Only local requests");
    }

    [Fact]
    public async Task RequireAuthorization_RemoteAuthenticatedUser_IsServedAndOwnsTheJob()
    {
        await using var app = await TestApp.StartAsync(
            conventions: g => g.RequireAuthorization(),
            configureBuilder: TestAuthHandler.AddTo,
            configurePipeline: TestAuthHandler.Use);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/jobs/start").Json("""{"type":"count","count":1}""")
            .With("X-Test-Remote", "203.0.113.7").With("X-Test-User", "alice");

        var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("alice", (await response.JsonAsync()).GetProperty("job").GetProperty("owner").GetString());
    }

    [Fact]
    public async Task RequireAuthorization_RemoteAnonymous_Returns401()
    {
        await using var app = await TestApp.StartAsync(
            conventions: g => g.RequireAuthorization(),
            configureBuilder: TestAuthHandler.AddTo,
            configurePipeline: TestAuthHandler.Use);

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/jobs").With("X-Test-Remote", "203.0.113.7"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RequireAuthorizationPolicy_UserOutsidePolicy_Returns403()
    {
        await using var app = await TestApp.StartAsync(
            conventions: g => g.RequireAuthorization(p => p.RequireUserName("admin")),
            configureBuilder: TestAuthHandler.AddTo,
            configurePipeline: TestAuthHandler.Use);

        var denied = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/jobs").With("X-Test-Remote", "203.0.113.7").With("X-Test-User", "alice"));
        var allowed = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/jobs").With("X-Test-Remote", "203.0.113.7").With("X-Test-User", "admin"));

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task AllowAnonymous_RemoteRequest_IsServed()
    {
        await using var app = await TestApp.StartAsync(conventions: g => g.AllowAnonymous());

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/jobs").With("X-Test-Remote", "203.0.113.7"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AllowAnonymousRemoteAccessOption_RemoteRequest_IsServed()
    {
        await using var app = await TestApp.StartAsync(o => o.AllowAnonymousRemoteAccess = true);

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/jobs").With("X-Test-Remote", "203.0.113.7"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "http://attacker.example")]
    [InlineData("Origin", "null")]
    public async Task CrossSiteChange_Returns403AndLeavesTheJobRunning(string header, string value)
    {
        await using var app = await TestApp.StartAsync();
        var id = await RunningJobAsync(app);

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/admin/jobs/{id}/cancel").With(header, value));

        await AssertForbiddenAsync(response, "Cross-site");
        Assert.Equal(JobStatus.Running, (await app.Manager.GetAsync(id))!.Status);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "same-origin")]
    [InlineData("Origin", "http://localhost")]
    public async Task SameOriginChange_IsServed(string header, string value)
    {
        await using var app = await TestApp.StartAsync();
        var id = await RunningJobAsync(app);

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/admin/jobs/{id}/cancel").With(header, value));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task CrossSiteRead_IsServed()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/admin/jobs").With("Sec-Fetch-Site", "cross-site"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AllowCrossOriginRequestsOption_CrossSiteChange_IsServed()
    {
        await using var app = await TestApp.StartAsync(o => o.AllowCrossOriginRequests = true);
        var id = await RunningJobAsync(app);

        var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/admin/jobs/{id}/cancel").With("Origin", "http://other.example"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public void MapCancellableJobs_WithoutCoreServices_ThrowsNamingTheFix()
    {
        var app = WebApplication.CreateBuilder().Build();

        var exception = Assert.Throws<InvalidOperationException>(() => app.MapCancellableJobs());

        Assert.Contains("AddCancellableJobs", exception.Message, StringComparison.Ordinal);
    }

    private static async Task<string> RunningJobAsync(TestApp app)
    {
        var job = await app.Manager.StartAsync("wait", new WaitInput(null));
        await app.WaitForStatusAsync(job.Id, JobStatus.Running);
        return job.Id;
    }

    private static HttpRequestMessage Request(string method, string path, string id)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", id, StringComparison.Ordinal));
        return path.EndsWith("/start", StringComparison.Ordinal) ? request.Json("""{"type":"count","count":1}""") : request;
    }

    private static async Task AssertForbiddenAsync(HttpResponseMessage response, string detail)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(detail, (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
