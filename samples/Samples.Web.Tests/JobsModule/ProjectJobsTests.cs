using System.Net;
using Cancellable.Jobs;
using JobsModule.Web;
using Samples.Web.Tests.Support;

namespace Samples.Web.Tests.JobsModule;

/// <summary>Seed 002 over HTTP: import, export, validation and test_run jobs of projects.</summary>
public sealed class ProjectJobsTests : SampleTests<JobsModuleWebApp>
{
    private const string Long = "\"delayMs\":10000";

    [Theory]
    [InlineData("import")]
    [InlineData("export")]
    [InlineData("validation")]
    [InlineData("test_run")]
    public async Task Start_EachProjectJob_CompletesWithEveryRecordAndItsProjectTag(string type)
    {
        var id = await Client.StartAsync(type, """{"projectId":"alpha","records":8,"delayMs":1}""", "project:alpha");

        await Factory.WaitForCompletionAsync(id);

        var job = await Client.GetJobAsync(id);
        Assert.Equal("completed", job.Text("status"));
        Assert.Equal(["project:alpha"], job.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var result = job.GetProperty("result");
        Assert.Equal("alpha", result.Text("projectId"));
        Assert.Equal(8, result.GetProperty("done").GetInt32());
        Assert.Equal(8, job.GetProperty("progress").GetProperty("processed").GetInt64());
    }

    [Fact]
    public async Task Start_ExportJob_ResultNamesTheFile()
    {
        var id = await Client.StartAsync("export", """{"projectId":"beta","records":2,"delayMs":0}""", "project:beta");

        var job = await Factory.WaitForCompletionAsync(id);

        Assert.Equal("beta-export.csv", job.Result!.Value.Text("file"));
    }

    [Fact]
    public async Task Start_ValidationWithBadRecord_FailsWithErrorDetailsWarningsAndPartialResult()
    {
        var id = await Client.StartAsync("validation", """{"projectId":"alpha","records":10,"delayMs":0,"badRecord":9}""", "project:alpha");

        await Factory.WaitForCompletionAsync(id);

        var job = await Client.GetJobAsync(id);
        Assert.Equal("failed", job.Text("status"));
        var error = job.GetProperty("error");
        Assert.Equal(typeof(InvalidDataException).FullName, error.Text("type"));
        Assert.Contains("Record 9: 'email' is required but empty.", error.Text("message"), StringComparison.Ordinal);
        var messages = job.GetProperty("messages").EnumerateArray().Select(m => (m.Text("level"), m.Text("text"))).ToList();
        Assert.Contains(("warning", "Record 7: the optional field 'phone' is empty."), messages);
        Assert.Contains(("error", "Record 9: 'email' is required but empty."), messages);
        Assert.Equal(8, job.GetProperty("partialResult").GetProperty("done").GetInt32());
    }

    [Fact]
    public async Task Start_TestRunWithFailingTest_CompletesAndCountsTheFailure()
    {
        var id = await Client.StartAsync("test_run", """{"projectId":"alpha","records":4,"delayMs":0,"badRecord":2}""", "project:alpha");

        var job = await Factory.WaitForCompletionAsync(id);

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(1, job.Result!.Value.GetProperty("failed").GetInt32());
        Assert.Contains(job.Messages, m => m.Level == JobMessageLevel.Warning && m.Text == "Test 2 failed: expected 200, got 500.");
        Assert.Contains(job.Messages, m => m.Text == "3 of 4 tests passed.");
    }

    [Fact]
    public async Task Retry_FailedImport_RunsAgainAsAttemptTwo()
    {
        var id = await Client.StartAsync("import", """{"projectId":"alpha","records":3,"delayMs":0,"badRecord":2}""", "project:alpha");
        Assert.Equal(JobStatus.Failed, (await Factory.WaitForCompletionAsync(id)).Status);

        var retry = await Client.PostAsync($"/admin/jobs/{id}/retry", content: null);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var again = await Factory.WaitForAsync(id, j => j.Attempt == 2 && j.Status.IsTerminal());
        Assert.Equal(JobStatus.Failed, again.Status);
        Assert.Equal(JobStatus.Failed, Assert.Single(again.PreviousAttempts).Status);
        Assert.Contains("Record 2 of 3 could not be imported", again.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_RunningImport_KeepsThePartialResultAndRetryRunsItAgain()
    {
        var id = await Client.StartAsync("import", $$"""{"projectId":"alpha","records":3,{{Long}}}""", "project:alpha");
        await Factory.WaitForAsync(id, j => j.PartialResult is not null);

        var cancel = await Client.PostAsync($"/admin/jobs/{id}/cancel", content: null);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var cancelled = await Factory.WaitForCompletionAsync(id);
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal(1, cancelled.PartialResult!.Value.GetProperty("done").GetInt32());

        var retry = await Client.PostAsync($"/admin/jobs/{id}/retry", content: null);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var rerun = await Factory.WaitForAsync(id, j => j.Attempt == 2 && j.Status == JobStatus.Running && j.PartialResult is not null);
        Assert.Equal(JobStatus.Cancelled, Assert.Single(rerun.PreviousAttempts).Status);
        await Client.PostAsync($"/admin/jobs/{id}/cancel", content: null);
    }

    [Fact]
    public async Task Cancel_QueuedJob_CancelsItBeforeItRuns()
    {
        var running = new List<string>();
        for (var i = 0; i < JobsModuleWebApp.MaxConcurrentJobs; i++)
        {
            running.Add(await Client.StartAsync("export", $$"""{"projectId":"alpha","records":2,{{Long}}}""", "project:alpha"));
        }

        foreach (var id in running)
        {
            await Factory.WaitForAsync(id, j => j.Status == JobStatus.Running);
        }

        var queued = await Client.StartAsync("import", """{"projectId":"beta","records":2,"delayMs":0}""", "project:beta");
        Assert.Equal("pending", (await Client.GetJobAsync(queued)).Text("status"));

        var cancel = await Client.PostAsync($"/admin/jobs/{queued}/cancel", content: null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var job = await Client.GetJobAsync(queued);
        Assert.Equal("cancelled", job.Text("status"));
        Assert.False(job.TryGetProperty("startedAt", out var started) && started.ValueKind != System.Text.Json.JsonValueKind.Null);
        var cancelAll = await (await Client.PostJsonAsync("/admin/jobs/cancel-all", """{"tag":"project:alpha"}""")).JsonAsync();
        Assert.Equal(JobsModuleWebApp.MaxConcurrentJobs, cancelAll.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Stats_GroupByProjectTag_CountsEachProjectsJobsPerStatus()
    {
        var alphaDone = await Client.StartAsync("import", """{"projectId":"alpha","records":1,"delayMs":0}""", "project:alpha");
        var alphaFailed = await Client.StartAsync("validation", """{"projectId":"alpha","records":2,"delayMs":0,"badRecord":1}""", "project:alpha");
        var betaDone = await Client.StartAsync("test_run", """{"projectId":"beta","records":1,"delayMs":0}""", "project:beta");
        var untagged = await Client.StartAsync("export", """{"projectId":"gamma","records":1,"delayMs":0}""");
        foreach (var id in new[] { alphaDone, alphaFailed, betaDone, untagged })
        {
            await Factory.WaitForCompletionAsync(id);
        }

        var stats = await (await Client.GetAsync("/admin/jobs/stats?groupBy=tag&keyPrefix=project:")).JsonAsync();

        var groups = stats.GetProperty("groups").EnumerateArray().ToDictionary(g => g.Text("key"), g => g.GetProperty("counts"));
        Assert.Equal(["project:alpha", "project:beta"], groups.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, groups["project:alpha"].GetProperty("completed").GetInt32());
        Assert.Equal(1, groups["project:alpha"].GetProperty("failed").GetInt32());
        Assert.Equal(1, groups["project:beta"].GetProperty("completed").GetInt32());
        Assert.Equal(0, groups["project:beta"].GetProperty("failed").GetInt32());

        Assert.Contains((await Factory.Manager.GetAsync(untagged))!.Messages, m => m.Level == JobMessageLevel.Warning && m.Text.Contains("not tagged project:gamma", StringComparison.Ordinal));
        Assert.DoesNotContain((await Factory.Manager.GetAsync(alphaDone))!.Messages, m => m.Level == JobMessageLevel.Warning);

        var alphaJobs = await (await Client.GetAsync("/admin/jobs?tag=project:alpha")).JsonAsync();
        Assert.Equal(new[] { alphaDone, alphaFailed }.Order(StringComparer.Ordinal), alphaJobs.Ids().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Start_MissingProjectId_Returns400AndStartsNothing()
    {
        var response = await Client.PostJsonAsync("/admin/jobs/start", """{"type":"import","input":{"records":2}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("projectId", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await (await Client.GetAsync("/admin/jobs")).JsonAsync()).Ids());
    }
}
