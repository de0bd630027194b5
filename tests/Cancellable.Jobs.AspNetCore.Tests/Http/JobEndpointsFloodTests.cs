using System.Net;
using Cancellable.Jobs.AspNetCore.Tests.Support;

namespace Cancellable.Jobs.AspNetCore.Tests.Http;

/// <summary>Floods through the HTTP API: each meets its limit as a problem, and the host goes on answering.</summary>
public sealed class JobEndpointsFloodTests
{
    [Fact]
    public async Task Start_ThousandStartsAgainstMaxPendingJobs_Exactly100Accepted900Get429Problems()
    {
        await using var app = await TestApp.StartAsync(configureJobs: o =>
        {
            o.MaxConcurrentJobs = 1;
            o.MaxPendingJobs = 100;
        });
        var first = await app.Client.PostJsonAsync("/admin/jobs/start", """{"type":"idle"}""");
        await app.WaitForStatusAsync((await first.JsonAsync()).GetProperty("jobId").GetString()!, JobStatus.Running);

        var responses = await Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => app.Client.PostJsonAsync("/admin/jobs/start", """{"type":"idle"}""")));

        Assert.Equal(100, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.Accepted).ToList();
        Assert.Equal(900, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType!.MediaType);
        });
        Assert.Contains("MaxPendingJobs", (await refused[0].JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var stats = await (await app.Client.GetAsync("/admin/jobs/stats")).JsonAsync();
        Assert.Equal(100, stats.GetProperty("overall").GetProperty("pending").GetInt32());
    }

    [Fact]
    public async Task Start_InputOverMaxInputSize_400ProblemNamingInputAndNoJob()
    {
        await using var app = await TestApp.StartAsync(configureJobs: o => o.MaxInputSize = 1_024);

        var response = await app.Client.PostJsonAsync("/admin/jobs/start", "{\"type\":\"wait\",\"input\":{\"note\":\"" + new string('n', 2_000) + "\"}}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("MaxInputSize", (await response.JsonAsync()).GetProperty("errors").GetProperty("input")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty((await app.Manager.ListAsync(new JobQuery())).Items);
    }
}
