using System.Diagnostics;
using System.Net;
using Cancellable.Jobs;
using JobsModule.Web;
using JobsModule.Web.Documents;
using Microsoft.Extensions.DependencyInjection;
using Samples.Web.Tests.Support;

namespace Samples.Web.Tests.JobsModule;

/// <summary>Seed 003 over HTTP: document processing, Cancel &amp; Delete, Retry, removing finished jobs.</summary>
public sealed class DocumentProcessingJobTests : SampleTests<JobsModuleWebApp>
{
    private ChunkStore Chunks => Factory.Services.GetRequiredService<ChunkStore>();

    [Fact]
    public async Task Start_Document_StoresEveryChunkAndCompletes()
    {
        var id = await Client.StartAsync("document_processing", """{"documentId":"doc-1","chunks":6,"chunkDelayMs":1}""");

        var job = await Factory.WaitForCompletionAsync(id);

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(6, job.Result!.Value.GetProperty("chunksDone").GetInt32());
        Assert.Equal([1, 2, 3, 4, 5, 6], Chunks.List("doc-1"));
    }

    [Fact]
    public async Task Delete_RunningDocument_StopsTheWorkAtOnceAndRemovesTheJob()
    {
        var clock = Stopwatch.StartNew();
        var id = await Client.StartAsync("document_processing", """{"documentId":"doc-2","chunks":5,"chunkDelayMs":10000}""");
        await Factory.WaitForAsync(id, j => j.PartialResult is not null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var removed = WaitForRemovalAsync(id, timeout.Token);

        // Seed 003's "Cancel & Delete".
        var response = await Client.DeleteAsync($"/admin/jobs/{id}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await removed;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(9), $"The delete waited for the chunk: {clock.Elapsed}.");
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/admin/jobs/{id}")).StatusCode);
        Assert.Equal([1], Chunks.List("doc-2"));
    }

    [Fact]
    public async Task Retry_DocumentThatFailedOnce_CompletesOnTheSecondAttempt()
    {
        var id = await Client.StartAsync("document_processing", """{"documentId":"doc-3","chunks":4,"chunkDelayMs":0,"failOnFirstAttemptAtChunk":3}""");
        var failed = await Factory.WaitForCompletionAsync(id);
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(typeof(TimeoutException).FullName, failed.Error!.Type);
        Assert.Equal(2, failed.PartialResult!.Value.GetProperty("chunksDone").GetInt32());

        var retry = await Client.PostAsync($"/admin/jobs/{id}/retry", content: null);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var done = await Factory.WaitForAsync(id, j => j.Attempt == 2 && j.Status.IsTerminal());
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(4, done.Result!.Value.GetProperty("chunksDone").GetInt32());
        Assert.Equal([1, 2, 3, 4], Chunks.List("doc-3"));
    }

    [Fact]
    public async Task Delete_FinishedDocument_RemovesIt()
    {
        var id = await Client.StartAsync("document_processing", """{"documentId":"doc-4","chunks":1,"chunkDelayMs":0}""");
        await Factory.WaitForCompletionAsync(id);

        var response = await Client.DeleteAsync($"/admin/jobs/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/admin/jobs/{id}")).StatusCode);
    }

    private async Task WaitForRemovalAsync(string id, CancellationToken cancellationToken)
    {
        await foreach (var change in Factory.Manager.WatchAsync(id, cancellationToken))
        {
            if (change.Kind == JobChangeKind.Removed)
            {
                return;
            }
        }
    }
}
