using System.Net;
using System.Text.Json;
using Cancellable.Jobs;
using JobsModule.Web;
using Samples.Web.Tests.Support;

namespace Samples.Web.Tests.JobsModule;

/// <summary>Seed 004 over HTTP: the argument-condensation pipeline, its sub-operations, abort one and abort all.</summary>
public sealed class ArgumentCondensationJobTests : SampleTests<JobsModuleWebApp>
{
    private static readonly string[] SeedOperations =
    [
        "data-loading",
        "question-q1-boolean-pros",
        "question-q1-boolean-cons",
        "question-q2-categorical-choice1-pros",
        "question-q2-categorical-choice2-pros",
        "question-q2-categorical-choice3-pros",
    ];

    [Fact]
    public async Task Start_SeedPipeline_CompletesEverySubOperationWithMessages()
    {
        var id = await Client.StartAsync("argument_condensation", """{"rounds":2,"roundDelayMs":0}""");

        await Factory.WaitForCompletionAsync(id);

        var job = await Client.GetJobAsync(id);
        Assert.Equal("completed", job.Text("status"));
        var progress = job.GetProperty("progress");
        Assert.Equal(1.0, progress.GetProperty("fraction").GetDouble());
        var steps = progress.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(SeedOperations, steps.Select(s => s.Text("name")));
        Assert.Equal([1.0, 2, 2, 2, 2, 2], steps.Select(s => s.GetProperty("weight").GetDouble()));
        Assert.All(steps, s => Assert.Equal(1.0, s.GetProperty("fraction").GetDouble()));
        var levels = job.GetProperty("messages").EnumerateArray().Select(m => m.Text("level")).ToHashSet();
        Assert.Equal(["error", "info", "warning"], levels.Order(StringComparer.Ordinal));
        var result = job.GetProperty("result");
        Assert.Equal(SeedOperations, result.GetProperty("completedOperations").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(15, result.GetProperty("argumentsCondensed").GetInt32());
    }

    [Fact]
    public async Task Cancel_MidPipeline_ShowsEachStepsProgressAndKeepsThePartialResult()
    {
        var id = await Client.StartAsync("argument_condensation", """{"rounds":2,"roundDelayMs":10000}""");
        await Factory.WaitForAsync(id, j => j.Progress.Steps.Count == 6 && j.Progress.Steps[1].Fraction > 0);

        // Seed 004's "abort": the running pipeline, mid-way through its first condensation.
        var running = await Client.GetJobAsync(id);
        var steps = running.GetProperty("progress").GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("fraction").GetDouble()).ToList();
        Assert.Equal([1.0, 0.5, 0, 0, 0, 0], steps);
        Assert.Equal((1 + (2 * 0.5)) / 11, running.GetProperty("progress").GetProperty("fraction").GetDouble(), 6);

        var abort = await Client.PostAsync($"/admin/jobs/{id}/cancel", content: null);

        Assert.Equal(HttpStatusCode.Accepted, abort.StatusCode);
        var cancelled = await Factory.WaitForCompletionAsync(id);
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal(["data-loading"], cancelled.PartialResult!.Value.GetProperty("completedOperations").EnumerateArray().Select(o => o.GetString()));
    }

    [Fact]
    public async Task CancelAll_TwoPipelines_AbortsBothAndLeavesOtherJobsRunning()
    {
        var first = await Client.StartAsync("argument_condensation", """{"rounds":2,"roundDelayMs":10000}""");
        var second = await Client.StartAsync("argument_condensation", """{"questions":[{"id":"q9","kind":"boolean"}],"rounds":2,"roundDelayMs":10000}""");
        var document = await Client.StartAsync("document_processing", """{"documentId":"doc-9","chunks":3,"chunkDelayMs":10000}""");
        foreach (var id in new[] { first, second, document })
        {
            await Factory.WaitForAsync(id, j => j.Status == JobStatus.Running);
        }

        var response = await Client.PostJsonAsync("/admin/jobs/cancel-all", """{"type":"argument_condensation"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.JsonAsync()).GetProperty("count").GetInt32());
        Assert.Equal(JobStatus.Cancelled, (await Factory.WaitForCompletionAsync(first)).Status);
        Assert.Equal(JobStatus.Cancelled, (await Factory.WaitForCompletionAsync(second)).Status);
        Assert.Equal("running", (await Client.GetJobAsync(document)).Text("status"));

        // Active and past jobs, as seed 004's two lists.
        var active = await (await Client.GetAsync("/admin/jobs?status=running")).JsonAsync();
        var past = await (await Client.GetAsync("/admin/jobs?status=cancelled")).JsonAsync();
        Assert.Equal([document], active.Ids());
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), past.Ids().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Start_CategoricalQuestionWithOneChoice_Returns400()
    {
        var response = await Client.PostJsonAsync("/admin/jobs/start", """{"type":"argument_condensation","input":{"questions":[{"id":"q1","kind":"categorical","choices":1}]}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("2 to 10 choices", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_ListsEveryJobTypeSideBySide()
    {
        string[] types = ["import", "export", "validation", "test_run", "document_processing", "argument_condensation"];
        foreach (var type in types)
        {
            var input = type switch
            {
                "document_processing" => """{"documentId":"d","chunks":1,"chunkDelayMs":0}""",
                "argument_condensation" => """{"rounds":1,"roundDelayMs":0}""",
                _ => """{"projectId":"alpha","records":1,"delayMs":0}""",
            };
            await Factory.WaitForCompletionAsync(await Client.StartAsync(type, input));
        }

        var all = await (await Client.GetAsync("/admin/jobs")).JsonAsync();

        Assert.Equal(types.Order(StringComparer.Ordinal), all.GetProperty("items").EnumerateArray().Select(j => j.Text("type")).Order(StringComparer.Ordinal));
        var page = await Client.GetAsync("/admin/jobs/ui");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }
}
