using System.Globalization;
using System.Text.Json;
using Cancellable.Jobs.Benchmarks.Baseline;
using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>Fills a store, and the baseline's dictionary, with finished jobs as a busy app would retain them.</summary>
public static class RetainedJobs
{
    public const int Owners = 100;
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly JobStatus[] Outcomes = [JobStatus.Completed, JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled];

    /// <summary>Gets the retained counts to run: the environment variable <c>RETAINED</c> (comma-separated), else the defaults.</summary>
    public static IEnumerable<int> CountsFromEnvironment(params int[] defaults) =>
        Environment.GetEnvironmentVariable("RETAINED") is { Length: > 0 } counts
            ? counts.Split(',').Select(c => int.Parse(c, NumberStyles.AllowThousands, CultureInfo.InvariantCulture))
            : defaults;

    public static string Owner(int i) => "owner" + (i % Owners).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds finished jobs whose expiry is <paramref name="expiresAt"/> plus one millisecond per job, each with
    /// <paramref name="messages"/> messages and, when <paramref name="withInput"/>, a small input as the job manager keeps
    /// it (<c>{"projectId":N,"dryRun":false}</c>).
    /// </summary>
    public static async Task<List<string>> FillAsync(InMemoryJobStore store, int count, DateTimeOffset expiresAt, int messages = 0, bool withInput = false)
    {
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var pending = new JobSnapshot
            {
                Id = Guid.NewGuid().ToString("N"),
                Type = "trivial",
                Status = JobStatus.Pending,
                Owner = Owner(i),
                Input = withInput ? JsonSerializer.SerializeToElement(new { projectId = i, dryRun = false }) : null,
                CreatedAt = Epoch,
            };
            var created = (await store.CreateAsync(pending, int.MaxValue))!;
            var running = (await store.ReplaceAsync(created, created with { Status = JobStatus.Running, StartedAt = Epoch, RunId = "run" }))!;
            var outcome = Outcomes[i % Outcomes.Length];
            var finished = running with
            {
                Status = outcome,
                CompletedAt = Epoch,
                ExpiresAt = expiresAt.AddMilliseconds(i),
                RunId = null,
                Progress = outcome == JobStatus.Completed ? Completed : JobProgress.None,
                Messages = messages == 0 ? [] : [.. Enumerable.Range(0, messages).Select(m => new JobMessage(JobMessageLevel.Info, $"processed batch {m} of job {i}", Epoch))],
            };
            await store.ReplaceAsync(running, finished);
            ids.Add(created.Id);
        }

        return ids;
    }

    public static Dictionary<string, HandRolledJob> FillBaseline(int count)
    {
        var jobs = new Dictionary<string, HandRolledJob>(count);
        for (var i = 0; i < count; i++)
        {
            var job = new HandRolledJob(Guid.NewGuid().ToString("N"), static (_, _) => Task.CompletedTask)
            {
                Status = Outcomes[i % Outcomes.Length],
                Owner = Owner(i),
                CompletedAt = Epoch,
            };
            jobs[job.Id] = job;
        }

        return jobs;
    }

    private static readonly JobProgress Completed = new() { Fraction = 1 };
}
