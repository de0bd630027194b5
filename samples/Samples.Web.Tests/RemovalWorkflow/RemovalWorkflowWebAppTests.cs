using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Cancellable.Jobs;
using RemovalWorkflow.Web;
using Samples.Web.Tests.Support;

namespace Samples.Web.Tests.RemovalWorkflow;

/// <summary>Seed 001's curl session against the web sample, request by request.</summary>
public sealed class RemovalWorkflowWebAppTests : SampleTests<RemovalWorkflowWebApp>
{
    // Seed 001, "Example 1: Dry Run Workflow", as written.
    private const string SeedDryRunBody = """
        {
          "type": "removal_workflow",
          "groupWaId": "120363403645737238@g.us",
          "batchSize": 5,
          "delayMs": 10000,
          "dryRun": true,
          "inactivityWindowMs": 2592000000
        }
        """;

    [Fact]
    public async Task SeedSession_StartStatusListCancel_CancelsDuringTheTenSecondDelayWithThePartialResult()
    {
        var clock = Stopwatch.StartNew();

        // curl -X POST http://localhost:5080/admin/jobs/start -H "Content-Type: application/json" -d '{…}'
        var start = await Client.PostJsonAsync("/admin/jobs/start", SeedDryRunBody);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var started = await start.JsonAsync();
        var jobId = started.Text("jobId");
        Assert.Contains(started.Text("status"), new[] { "pending", "running" });

        // The first batch of 5 is done and the job waits 10 s before the next one.
        await Factory.WaitForAsync(jobId, j => j.Progress.Processed == 5);

        // curl http://localhost:5080/admin/jobs/{jobId}/status
        var status = await (await Client.GetAsync($"/admin/jobs/{jobId}/status")).JsonAsync();
        Assert.Equal(jobId, status.Text("id"));
        Assert.Equal("removal_workflow", status.Text("type"));
        Assert.Equal("running", status.Text("status"));
        var progress = status.GetProperty("progress");
        Assert.Equal(5, progress.GetProperty("processed").GetInt64());
        Assert.Equal(20, progress.GetProperty("total").GetInt64());
        Assert.Equal("batch 1 of 4", progress.Text("currentStep"));
        Assert.Equal(10000, status.GetProperty("input").GetProperty("delayMs").GetInt32());

        // curl http://localhost:5080/admin/jobs?status=running
        var running = await (await Client.GetAsync("/admin/jobs?status=running")).JsonAsync();
        Assert.Equal([jobId], running.Ids());

        // curl -X POST http://localhost:5080/admin/jobs/{jobId}/cancel
        var cancel = await Client.PostAsync($"/admin/jobs/{jobId}/cancel", content: null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(jobId, (await cancel.JsonAsync()).Text("jobId"));

        var final = await Factory.WaitForCompletionAsync(jobId);
        Assert.Equal(JobStatus.Cancelled, final.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), $"The cancel waited out the delay: {clock.Elapsed}.");

        var after = await (await Client.GetAsync($"/admin/jobs/{jobId}/status")).JsonAsync();
        Assert.Equal("cancelled", after.Text("status"));
        var partial = after.GetProperty("partialResult");
        Assert.True(partial.GetProperty("dryRun").GetBoolean());
        Assert.Equal(1, partial.GetProperty("batchesDone").GetInt32());
        Assert.Equal(5, partial.GetProperty("wouldRemoveWhatsappIds").GetArrayLength());
        Assert.Equal(0, partial.GetProperty("removedWhatsappIds").GetArrayLength());
        Assert.Empty((await (await Client.GetAsync("/admin/jobs?status=running")).JsonAsync()).Ids());
    }

    [Fact]
    public async Task Start_DryRunWithShortDelay_CompletesWithEveryInactiveMember()
    {
        var body = SeedDryRunBody.Replace("10000", "1", StringComparison.Ordinal);
        var jobId = (await (await Client.PostJsonAsync("/admin/jobs/start", body)).JsonAsync()).Text("jobId");

        await Factory.WaitForCompletionAsync(jobId);

        var job = await (await Client.GetAsync($"/admin/jobs/{jobId}/status")).JsonAsync();
        Assert.Equal("completed", job.Text("status"));
        Assert.Equal(1.0, job.GetProperty("progress").GetProperty("fraction").GetDouble());
        var result = job.GetProperty("result");
        Assert.Equal(4, result.GetProperty("batchesDone").GetInt32());
        Assert.Equal(20, result.GetProperty("wouldRemoveWhatsappIds").EnumerateArray().Select(e => e.GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Start_RemovalQueueAfterDryRun_RemovesTheReviewedMembers()
    {
        var dryRun = (await (await Client.PostJsonAsync("/admin/jobs/start", SeedDryRunBody.Replace("10000", "0", StringComparison.Ordinal))).JsonAsync()).Text("jobId");
        var reviewed = (await Factory.WaitForCompletionAsync(dryRun)).Result!.Value.GetProperty("wouldRemoveWhatsappIds");

        // Seed 001, "Example 2: Production Queue Processing", with a short delay.
        var queueJob = await Client.PostJsonAsync("/admin/jobs/start", """
            {"type":"removal_queue","groupWaId":"120363403645737238@g.us","batchSize":5,"delayMs":0,"dryRun":false}
            """);
        Assert.Equal(HttpStatusCode.Accepted, queueJob.StatusCode);
        var final = await Factory.WaitForCompletionAsync((await queueJob.JsonAsync()).Text("jobId"));

        Assert.Equal(JobStatus.Completed, final.Status);
        Assert.Equal(
            reviewed.EnumerateArray().Select(e => e.GetString()),
            final.Result!.Value.GetProperty("removedWhatsappIds").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Start_InvalidGroupId_Returns400AndStartsNothing()
    {
        var response = await Client.PostJsonAsync("/admin/jobs/start", SeedDryRunBody.Replace("120363403645737238@g.us", "not-a-group", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("groupWaId", (await response.Content.ReadAsStringAsync()), StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await (await Client.GetAsync("/admin/jobs")).JsonAsync()).Ids());
    }

    [Fact]
    public async Task Root_Get_RedirectsToTheDashboard()
    {
        using var client = Factory.CreateClient(new() { AllowAutoRedirect = false });

        var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin/jobs/ui", response.Headers.Location?.OriginalString);
        var dashboard = await client.GetAsync("/admin/jobs/ui");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);
    }
}
