using System.Net;
using System.Text.Json;

namespace Samples.Web.Tests.Support;

/// <summary>The requests the JobsModule tests send, as a dashboard or curl sends them.</summary>
public static class JobsClient
{
    /// <summary>Starts a job with the explicit form <c>{"type":…,"input":{…},"tags":[…]}</c> and returns its id.</summary>
    public static async Task<string> StartAsync(this HttpClient client, string type, string input, string? tag = null)
    {
        var tags = tag is null ? string.Empty : $$""","tags":["{{tag}}"]""";
        var response = await client.PostJsonAsync("/admin/jobs/start", $$"""{"type":"{{type}}","input":{{input}}{{tags}}}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.JsonAsync()).Text("jobId");
    }

    public static async Task<JsonElement> GetJobAsync(this HttpClient client, string jobId)
    {
        var response = await client.GetAsync($"/admin/jobs/{jobId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }
}
