using System.Collections.Concurrent;
using Cancellable.Jobs.Storage;
using Cancellable.Jobs.Tests.Properties;
using Xunit.Abstractions;

namespace Cancellable.Jobs.Tests.Concurrency;

/// <summary>
/// Races on <see cref="JobManager"/>, the runner, the sweeper and <see cref="InMemoryJobStore"/>: many iterations of
/// each race, racers lined up on a barrier, and after each one the lifecycle checked (one terminal outcome per attempt,
/// only legal transitions, nothing stuck once the job's code stopped, no logged failure, statistics that match the jobs).
/// </summary>
public sealed class JobManagerConcurrencyTests(ITestOutputHelper output)
{
    private const int Iterations = 200;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CancelAsync_RacingCompletion_EndsEachAttemptOnce()
    {
        await using var system = await JobSystem.StartAsync(o => o.MaxConcurrentJobs = 4);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var (job, script) = await StartRunningAsync(system);
            JobCommandResult? cancel = null;
            await RaceAsync(
                () => script.SendAsync(new ScriptStep(ScriptStepKind.CompleteUnlessCancelled)),
                async () => cancel = await system.Jobs.CancelAsync(job.Id, "racer"));

            var final = await WaitForEndAsync(system, job.Id);
            Assert.Contains(final.Status, new[] { JobStatus.Completed, JobStatus.Cancelled });
            Assert.Contains(cancel!.Outcome, new[] { JobCommandOutcome.Accepted, JobCommandOutcome.Conflict });
            if (cancel.Outcome == JobCommandOutcome.Conflict)
            {
                Assert.Equal(JobStatus.Completed, final.Status);
                Assert.Null(final.CancelRequestedAt);
            }
            else
            {
                Assert.Equal("racer", final.CancelRequestedBy);
                Assert.NotNull(final.CancelRequestedAt);
            }

            Assert.Equal([final.Status], system.Log.TerminalsOf(job.Id, 1));
            outcomes[$"{cancel.Outcome} -> {final.Status}"] = outcomes.GetValueOrDefault($"{cancel.Outcome} -> {final.Status}") + 1;
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
        await AssertConsistentAsync(system);
    }

    [Fact]
    public async Task CancelAsync_RacingProgressReportsAndFlushes_KeepsTheLastReportAndEndsCancelled()
    {
        await using var system = await JobSystem.StartAsync(o =>
        {
            o.MaxConcurrentJobs = 4;
            o.MaxMessagesPerLevel = 5;
            o.ProgressFlushInterval = TimeSpan.FromMilliseconds(250);
        });
        for (var i = 0; i < Iterations / 2; i++)
        {
            var (job, script) = await StartRunningAsync(system);
            await script.SendAsync(new ScriptStep(ScriptStepKind.SpinUntilCancelled));
            var reads = 0;
            await RaceAsync(
                async () =>
                {
                    for (var tick = 0; tick < 20; tick++)
                    {
                        system.Time.Advance(TimeSpan.FromMilliseconds(250));
                        await Task.Yield();
                    }
                },
                async () =>
                {
                    await Task.Yield();
                    Assert.Equal(JobCommandOutcome.Accepted, (await system.Jobs.CancelAsync(job.Id, "racer")).Outcome);
                },
                async () =>
                {
                    do
                    {
                        var seen = await system.Jobs.GetAsync(job.Id);
                        Assert.Empty(SnapshotInvariants.Check(seen!, system.Options.MaxMessagesPerLevel));
                        reads++;
                        await Task.Yield();
                    }
                    while (!script.Exited);
                });

            var final = await WaitForEndAsync(system, job.Id);
            Assert.Equal(JobStatus.Cancelled, final.Status);
            Assert.True(reads > 0);

            // The end wrote the last report, whatever flush raced it: the last message, its partial result and the drop count agree.
            var last = final.PartialResult!.Value.GetInt32();
            Assert.Equal($"spin {last}", final.Messages[^1].Text);
            Assert.Equal(Math.Min(last + 1, 5), final.Messages.Count);
            Assert.Equal(last + 1 - final.Messages.Count, final.DroppedMessages.Info);
            Assert.Equal(last % 7, final.Progress.Processed);
            Assert.Equal(6, final.Progress.Total);
            Assert.Equal(last % 7 / 6.0, final.Progress.Fraction, 9);
            Assert.Equal([JobStatus.Cancelled], system.Log.TerminalsOf(job.Id, 1));
        }

        await AssertConsistentAsync(system);
    }

    [Fact]
    public async Task RetryAsync_RacingTheSweeperOnAnExpiredJob_EitherRetriesOrRemovesIt()
    {
        await using var system = await JobSystem.StartAsync(o =>
        {
            o.MaxConcurrentJobs = 4;
            o.FailedRetention = TimeSpan.FromMinutes(1);
        });
        int retried = 0, swept = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var (job, script) = await StartRunningAsync(system);
            await script.SendAsync(new ScriptStep(ScriptStepKind.Fail));
            var failed = await WaitForEndAsync(system, job.Id);
            Assert.Equal(JobStatus.Failed, failed.Status);
            system.Time.Advance(TimeSpan.FromMinutes(1));

            JobCommandResult? retry = null;
            await RaceAsync(
                async () => retry = await system.Jobs.RetryAsync(job.Id),
                () => system.Sweeper.SweepAsync(CancellationToken.None));

            if (retry!.Outcome == JobCommandOutcome.Applied)
            {
                retried++;
                Assert.Equal(2, retry.Job!.Attempt);
                await system.WaitUntilAsync(() => system.Scripts.Find(job.Id, 2) is null ? "attempt 2 did not start" : null, HangGuard);
                await system.Scripts.Find(job.Id, 2)!.SendAsync(new ScriptStep(ScriptStepKind.Complete));
                var final = await WaitForEndAsync(system, job.Id);
                Assert.Equal(JobStatus.Completed, final.Status);
                Assert.Equal(JobStatus.Failed, Assert.Single(final.PreviousAttempts).Status);
            }
            else
            {
                swept++;
                Assert.Equal(JobCommandOutcome.NotFound, retry.Outcome);
                Assert.Null(await system.Jobs.GetAsync(job.Id));
            }

            // Removed only as the failed attempt, never once retried.
            var history = system.Log.History(job.Id);
            var removedAt = history.ToList().IndexOf(null);
            Assert.True(removedAt < 0 || history[removedAt - 1] == JobStatus.Failed, $"history {string.Join(",", history)}");
        }

        Assert.Equal(Iterations, retried + swept);
        output.WriteLine($"retried {retried}, swept {swept}");
        await AssertConsistentAsync(system);
    }

    [Fact]
    public async Task DeleteAsync_RacingTheEndOfARunningJob_RemovesItOnlyOnceItStopped()
    {
        await using var system = await JobSystem.StartAsync(o => o.MaxConcurrentJobs = 4);
        var endings = new[] { ScriptStepKind.Complete, ScriptStepKind.Fail, ScriptStepKind.CompleteUnlessCancelled };
        var deletes = new Dictionary<JobCommandOutcome, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var (job, script) = await StartRunningAsync(system);
            JobCommandResult? delete = null;
            await RaceAsync(
                () => script.SendAsync(new ScriptStep(endings[i % endings.Length])),
                async () => delete = await system.Jobs.DeleteAsync(job.Id, "racer"));

            Assert.Contains(delete!.Outcome, new[] { JobCommandOutcome.Accepted, JobCommandOutcome.Applied });
            deletes[delete.Outcome] = deletes.GetValueOrDefault(delete.Outcome) + 1;
            // The store drops the record before it publishes the removal, so wait for both.
            await system.WaitUntilAsync(
                () => system.Store.GetAsync(job.Id).Result is { } left ? $"still held as {left.Status}"
                    : system.Log.History(job.Id) is [.., not null] ? "removal not published yet" : null,
                HangGuard);
            Assert.True(script.Exited);
            var history = system.Log.History(job.Id);
            Assert.Null(history[^1]);
            Assert.True(history[^2]!.Value.IsTerminal(), $"history {string.Join(",", history)}");
            Assert.Single(system.Log.TerminalsOf(job.Id, 1));
        }

        output.WriteLine(string.Join(", ", deletes.Select(o => $"{o.Key}: {o.Value}")));
        await AssertConsistentAsync(system);
    }

    [Fact]
    public async Task DeleteAsync_RacingRetryOfAFailedJob_RemovesTheJobWhicheverWins()
    {
        await using var system = await JobSystem.StartAsync(o => o.MaxConcurrentJobs = 4);
        system.Scripts.OnAttach = script =>
        {
            if (script.Attempt > 1)
            {
                script.SendAsync(new ScriptStep(ScriptStepKind.HonourCancellation));
            }
        };
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var (job, script) = await StartRunningAsync(system);
            await script.SendAsync(new ScriptStep(ScriptStepKind.Fail));
            Assert.Equal(JobStatus.Failed, (await WaitForEndAsync(system, job.Id)).Status);

            JobCommandResult? retry = null, delete = null;
            await RaceAsync(
                async () => retry = await system.Jobs.RetryAsync(job.Id),
                async () => delete = await system.Jobs.DeleteAsync(job.Id, "racer"));

            Assert.Contains(retry!.Outcome, new[] { JobCommandOutcome.Applied, JobCommandOutcome.NotFound });
            Assert.Contains(delete!.Outcome, new[] { JobCommandOutcome.Applied, JobCommandOutcome.Accepted });
            await system.WaitUntilAsync(
                () => system.Store.GetAsync(job.Id).Result is { } left ? $"still held as {left.Status} #{left.Attempt}"
                    : system.Log.History(job.Id) is [.., not null] ? "removal not published yet" : null,
                HangGuard);
            Assert.True(system.Scripts.Find(job.Id, 2) is null or { Exited: true });
            Assert.True(system.Log.TerminalsOf(job.Id, 2).Count <= 1);
            var key = $"retry {retry.Outcome}, delete {delete.Outcome}";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
        await AssertConsistentAsync(system);
    }

    [Fact]
    public async Task CancelAsync_ManyCancellersAndATimeoutRacingTheEnd_KeepTheFirstReasonAndOneOutcome()
    {
        await using var system = await JobSystem.StartAsync(o => o.MaxConcurrentJobs = 4);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var job = await system.Jobs.StartAsync("alpha", new ScriptInput("x"), new JobStartOptions { Owner = "owner", Timeout = TimeSpan.FromSeconds(1) });
            await system.WaitUntilAsync(() => system.Scripts.Find(job.Id, 1) is null ? "job did not start" : null, HangGuard);
            var script = system.Scripts.Find(job.Id, 1)!;
            var cancelledByAll = 0;
            await RaceAsync(
                () => script.SendAsync(new ScriptStep(i % 2 == 0 ? ScriptStepKind.CompleteUnlessCancelled : ScriptStepKind.HonourCancellation)),
                async () => await system.Jobs.CancelAsync(job.Id, "a"),
                async () => await system.Jobs.CancelAsync(job.Id, "b"),
                async () => cancelledByAll = await system.Jobs.CancelAllAsync(new JobFilter { Owner = "owner" }, "c"),
                () =>
                {
                    system.Time.Advance(TimeSpan.FromSeconds(1));
                    return Task.CompletedTask;
                });

            var final = await WaitForEndAsync(system, job.Id);
            Assert.Single(system.Log.TerminalsOf(job.Id, 1));
            Assert.Equal(cancelledByAll, final.CancelRequestedBy == "c" ? 1 : 0);
            if (final.CancelReason == JobCancelReason.Timeout)
            {
                Assert.Null(final.CancelRequestedBy);
            }
            else if (final.CancelReason == JobCancelReason.Requested)
            {
                Assert.Contains(final.CancelRequestedBy, new[] { "a", "b", "c" });
            }
            else
            {
                Assert.Equal(JobStatus.Completed, final.Status);
                Assert.Null(final.CancelRequestedAt);
            }

            var key = $"{final.Status} ({final.CancelReason?.ToString() ?? "-"})";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
        await AssertConsistentAsync(system);
    }

    [Fact]
    public async Task CancelAllAsync_RacingStarts_CountsEachCancelledJobOnce()
    {
        await using var system = await JobSystem.StartAsync(o => o.MaxConcurrentJobs = 4);
        system.Scripts.OnAttach = script => script.SendAsync(new ScriptStep(
            system.Store.GetAsync(script.JobId).Result!.Type == "alpha" ? ScriptStepKind.HonourCancellation : ScriptStepKind.CompleteUnlessCancelled));
        var counted = 0;
        var started = new ConcurrentBag<string>();
        for (var round = 0; round < 20; round++)
        {
            Func<Task> Starter(int starter) => async () =>
            {
                for (var n = 0; n < 10; n++)
                {
                    started.Add((await system.Jobs.StartAsync((starter + n) % 2 == 0 ? "alpha" : "beta", new ScriptInput("x"))).Id);
                }
            };

            await RaceAsync(
                Starter(0),
                Starter(1),
                Starter(2),
                async () =>
                {
                    for (var n = 0; n < 5; n++)
                    {
                        Interlocked.Add(ref counted, await system.Jobs.CancelAllAsync(new JobFilter { Type = "alpha" }, "all"));
                        await Task.Yield();
                    }
                });
        }

        await system.Jobs.CancelAllAsync(new JobFilter { Type = "alpha" }, "cleanup");
        await system.WaitUntilAsync(() => system.Store.GetStatisticsAsync(JobGrouping.None, null).Result.Overall is var s && s.Pending + s.Running + s.Cancelling > 0 ? $"{s.Pending + s.Running + s.Cancelling} jobs active" : null, HangGuard);

        var jobs = await ListAllAsync(system);
        Assert.Equal(started.Count, jobs.Count);
        Assert.Equal(counted, jobs.Count(j => j.CancelRequestedBy == "all"));
        output.WriteLine($"{jobs.Count} jobs, {counted} cancelled by cancel-all while starting");
        Assert.All(jobs.Where(j => j.Type == "beta"), j => Assert.Equal(JobStatus.Completed, j.Status));
        Assert.All(jobs.Where(j => j.Type == "alpha"), j => Assert.Equal(JobStatus.Cancelled, j.Status));
        Assert.All(jobs, j => Assert.Single(system.Log.TerminalsOf(j.Id, 1)));
        await AssertConsistentAsync(system);
    }

    [Fact]
    public async Task ClaimNextAsync_ManyConcurrentClaimers_ClaimEachPendingJobOnce()
    {
        var store = new InMemoryJobStore();
        for (var round = 0; round < 20; round++)
        {
            for (var n = 0; n < 100; n++)
            {
                await store.CreateAsync(new JobSnapshot { Id = $"{round}-{n}", Type = n % 3 == 0 ? "other" : "alpha", Status = JobStatus.Pending, CreatedAt = JobSystem.Epoch }, int.MaxValue);
            }

            var claimed = new ConcurrentBag<string>();
            Func<Task> Claimer(int claimer) => async () =>
            {
                var runId = $"run-{round}-{claimer}";
                while (await store.ClaimNextAsync(["alpha", "other"], job => job with { Status = JobStatus.Running, StartedAt = JobSystem.Epoch, RunId = runId }) is { } job)
                {
                    Assert.Equal(runId, job.RunId);
                    Assert.Equal(2, job.Version);
                    claimed.Add(job.Id);
                }
            };

            await RaceAsync(Claimer(0), Claimer(1), Claimer(2), Claimer(3), Claimer(4), Claimer(5));
            Assert.Equal(100, claimed.Count);
            Assert.Equal(100, claimed.Distinct().Count());
            var stats = await store.GetStatisticsAsync(JobGrouping.None, null);
            Assert.Equal(0, stats.Overall.Pending);
            Assert.Equal((round + 1) * 100, stats.Overall.Running);
        }
    }

    [Fact]
    public async Task Runner_ManyJobsStartedConcurrently_RunsEachOnceWithinTheLimit()
    {
        await using var system = await JobSystem.StartAsync(o => o.MaxConcurrentJobs = 3);
        int running = 0, maxRunning = 0;
        system.Scripts.OnAttach = script =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            _ = script.SendAsync(new ScriptStep(ScriptStepKind.Report, 0.5, 1))
                .ContinueWith(_ => Interlocked.Decrement(ref running), TaskScheduler.Default)
                .ContinueWith(_ => script.SendAsync(new ScriptStep(ScriptStepKind.Complete)), TaskScheduler.Default);
        };

        Func<Task> Starter(int starter) => async () =>
        {
            for (var n = 0; n < Iterations / 4; n++)
            {
                await system.Jobs.StartAsync(n % 2 == 0 ? "alpha" : "beta", new ScriptInput($"{starter}-{n}"));
            }
        };

        await RaceAsync(Starter(0), Starter(1), Starter(2), Starter(3));
        await system.WaitUntilAsync(() => system.Store.GetStatisticsAsync(JobGrouping.None, null).Result.Overall.Completed is var done && done < Iterations ? $"{done} completed" : null, HangGuard);

        Assert.InRange(maxRunning, 1, 3);
        output.WriteLine($"at most {maxRunning} running at once");
        Assert.Equal(Iterations, system.Scripts.AttachedCount);
        var jobs = await ListAllAsync(system);
        Assert.All(jobs, j => Assert.Equal([JobStatus.Completed], system.Log.TerminalsOf(j.Id, 1)));
        Assert.All(jobs, j => Assert.Equal(1, j.Progress.Fraction));
        await AssertConsistentAsync(system);
    }

    /// <summary>Runs the racers on threads of their own, released together by a barrier.</summary>
    private static async Task RaceAsync(params Func<Task>[] racers)
    {
        using var barrier = new Barrier(racers.Length);
        var tasks = racers.Select(racer => Task.Factory.StartNew(
            () =>
            {
                barrier.SignalAndWait();

                // A random head start (a busy spin, not a sleep) so that each racer wins some iterations.
                Thread.SpinWait(Random.Shared.Next(0, 20_000));
                return racer();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()).ToArray();
        await Task.WhenAll(tasks).WaitAsync(HangGuard);
    }

    private static async Task<(JobSnapshot Job, JobScript Script)> StartRunningAsync(JobSystem system)
    {
        var job = await system.Jobs.StartAsync("alpha", new ScriptInput("x"));
        await system.WaitUntilAsync(() => system.Scripts.Find(job.Id, 1) is null ? "job did not start" : null, HangGuard);
        return (job, system.Scripts.Find(job.Id, 1)!);
    }

    /// <summary>Waits for the job's current attempt to end; a job stuck Running or Cancelling fails the hang guard.</summary>
    private static async Task<JobSnapshot> WaitForEndAsync(JobSystem system, string jobId)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        var final = await system.Jobs.WaitForCompletionAsync(jobId, guard.Token);
        Assert.NotNull(final);
        await system.Log.WaitForVersionAsync(jobId, final.Version, guard.Token);
        return final;
    }

    private static async Task<List<JobSnapshot>> ListAllAsync(JobSystem system)
    {
        var all = new List<JobSnapshot>();
        var query = new JobQuery { PageSize = 37 };
        do
        {
            var page = await system.Jobs.ListAsync(query);
            all.AddRange(page.Items);
            query = query with { ContinuationToken = page.ContinuationToken };
        }
        while (query.ContinuationToken is not null);

        return all;
    }

    /// <summary>The log saw nothing illegal, the library logged no failure, and the statistics match the jobs held.</summary>
    private static async Task AssertConsistentAsync(JobSystem system)
    {
        Assert.Empty(system.Log.Violations);
        Assert.Empty(system.Problems.Problems);
        var jobs = await ListAllAsync(system);
        Assert.Equal(jobs.Count, jobs.Select(j => j.Id).Distinct().Count());
        Assert.Equal(system.Store.Count, jobs.Count);
        var stats = await system.Jobs.GetStatisticsAsync();
        foreach (var status in Enum.GetValues<JobStatus>())
        {
            Assert.Equal(jobs.Count(j => j.Status == status), stats.Overall[status]);
        }

        Assert.DoesNotContain(jobs, j => j.Status is JobStatus.Running or JobStatus.Cancelling && system.Scripts.Find(j.Id, j.Attempt) is { Exited: true });
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}
