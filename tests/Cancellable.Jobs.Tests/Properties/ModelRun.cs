using System.Text;

namespace Cancellable.Jobs.Tests.Properties;

/// <summary>
/// Runs a scenario against the real system and the model side by side, and after every command waits for the system
/// to settle into the state the model predicts, then compares everything the store shows with the model.
/// </summary>
internal sealed class ModelRun(JobSystem system, JobModel model)
{
    private static readonly JobFilter[] ListFilters =
    [
        new(),
        new() { Status = JobStatus.Pending },
        new() { Status = JobStatus.Running },
        new() { Status = JobStatus.Cancelled },
        new() { Type = "alpha" },
        new() { Owner = "alice" },
        new() { Tag = "t1" },
        new() { Type = "beta", Tag = "t2" },
        new() { Status = JobStatus.Completed, Owner = "bob" },
    ];

    private int _step;

    public static void Configure(CancellableJobsOptions options)
    {
        options.MaxConcurrentJobs = 2;
        options.MaxPendingJobs = 4;
        options.MaxRetainedJobs = 6;
        options.MaxMessagesPerLevel = 3;
        options.ProgressFlushInterval = TimeSpan.FromMinutes(1);
        options.CancellationGracePeriod = TimeSpan.FromSeconds(90);
        options.CompletedRetention = TimeSpan.FromMinutes(10);
        options.FailedRetention = TimeSpan.FromMinutes(20);
        options.CancelledRetention = TimeSpan.FromMinutes(5);
    }

    public static async Task RunAsync(JobScenario scenario)
    {
        var system = await JobSystem.StartAsync(Configure);
        await using (system)
        {
            var model = new JobModel(system.Options);
            var run = new ModelRun(system, model);
            foreach (var command in scenario.Commands)
            {
                try
                {
                    await run.ExecuteAsync(command);
                }
                catch (Exception ex) when (ex is not InvariantException)
                {
                    throw new InvariantException($"step {run._step} {command}: {ex.GetType().Name}: {ex.Message}", ex);
                }
            }
        }
    }

    private async Task ExecuteAsync(JobCommand command)
    {
        _step++;
        var jobs = system.Jobs;
        switch (command.Kind)
        {
            case JobCommandKind.Start:
                await StartAsync(command);
                break;

            case JobCommandKind.Report or JobCommandKind.Message or JobCommandKind.Complete or JobCommandKind.Fail
                or JobCommandKind.FailWithForeignCancellation or JobCommandKind.HonourCancellation:
                await StepJobCodeAsync(command);
                break;

            case JobCommandKind.Cancel when model.Jobs.Count > 0:
            {
                var job = model.Jobs[command.Target % model.Jobs.Count];
                var by = JobCommand.Owners[command.A];
                var expected = model.Cancel(job, by);
                var result = await jobs.CancelAsync(job.Id, by);
                Expect(result.Outcome == expected, $"cancel of {job} returned {result.Outcome}, expected {expected}");
                Expect(expected != JobCommandOutcome.Applied || result.Job?.Status == JobStatus.Cancelled, $"applied cancel returned {result.Job?.Status}");
                Expect(expected != JobCommandOutcome.Accepted || result.Job?.Status == JobStatus.Cancelling, $"accepted cancel returned {result.Job?.Status}");
                break;
            }

            case JobCommandKind.CancelAll:
            {
                var filter = command.CancelAllFilter;
                var statuses = filter.Status is { } only ? [only] : new[] { JobStatus.Pending, JobStatus.Running };
                var targets = model.Live.Where(j => statuses.Contains(j.Status) && j.Matches(filter with { Status = null })).OrderBy(j => j.Status).ToList();
                var expected = 0;
                foreach (var job in targets)
                {
                    var wasRunning = job.Status == JobStatus.Running;
                    var outcome = model.Cancel(job, "ops");
                    expected += outcome == JobCommandOutcome.Applied || (outcome == JobCommandOutcome.Accepted && wasRunning) ? 1 : 0;
                }

                var count = await jobs.CancelAllAsync(filter, "ops");
                Expect(count == expected, $"cancel-all returned {count}, expected {expected}");
                break;
            }

            case JobCommandKind.Retry when model.Jobs.Count > 0:
            {
                var job = model.Jobs[command.Target % model.Jobs.Count];
                var full = job is { Removed: false, Status: JobStatus.Failed or JobStatus.Cancelled } && model.PendingCount >= system.Options.MaxPendingJobs;
                if (full)
                {
                    await Assert.ThrowsAsync<JobQueueFullException>(async () => await jobs.RetryAsync(job.Id));
                    break;
                }

                var expected = model.Retry(job);
                var result = await jobs.RetryAsync(job.Id);
                Expect(result.Outcome == expected, $"retry of {job} returned {result.Outcome}, expected {expected}");
                Expect(expected != JobCommandOutcome.Applied || (result.Job is { Status: JobStatus.Pending } retried && retried.Attempt == job.Attempt), $"applied retry returned {result.Job?.Status} #{result.Job?.Attempt}");
                break;
            }

            case JobCommandKind.Delete when model.Jobs.Count > 0:
            {
                var job = model.Jobs[command.Target % model.Jobs.Count];
                var by = JobCommand.Owners[command.A];
                var expected = model.Delete(job, by);
                var result = await jobs.DeleteAsync(job.Id, by);
                Expect(result.Outcome == expected, $"delete of {job} returned {result.Outcome}, expected {expected}");
                Expect(expected != JobCommandOutcome.Accepted || result.Job is { IsDeleteRequested: true }, "accepted delete did not mark the job");
                break;
            }

            case JobCommandKind.Advance when command.A < JobCommand.Advances.Length:
                await AdvanceAsync(JobCommand.Advances[command.A]);
                return;

            case JobCommandKind.Advance:
            {
                var to = model.NextExpiry() - (command.A == JobCommand.JustBeforeNextExpiry ? TimeSpan.FromMilliseconds(1) : TimeSpan.Zero);
                if (to > model.Now)
                {
                    await AdvanceAsync(to.Value - model.Now);
                }

                return;
            }

            case JobCommandKind.Sweep:
            {
                model.Sweep();
                var next = await system.Sweeper.SweepAsync(CancellationToken.None);
                Expect(next == model.NextExpiry(), $"sweep reported next expiry {next:O}, expected {model.NextExpiry():O}");
                break;
            }
        }

        await SettleAndCheckAsync();
    }

    private async Task StartAsync(JobCommand command)
    {
        var type = JobCommand.Types[command.A];
        var options = new JobStartOptions { Owner = JobCommand.Owners[command.B], Tags = command.Tags, Timeout = command.Timeout };
        if (model.PendingCount >= system.Options.MaxPendingJobs)
        {
            await Assert.ThrowsAsync<JobQueueFullException>(async () => await system.Jobs.StartAsync(type, new ScriptInput("x"), options));
            return;
        }

        var started = await system.Jobs.StartAsync(type, new ScriptInput("x"), options);
        Expect(started is { Status: JobStatus.Pending, Attempt: 1 }, $"start returned {started.Status} #{started.Attempt}");
        Expect(model.Jobs.All(j => j.Id != started.Id), "start reused an id");
        model.Add(started.Id, type, options.Owner, command.Tags, command.Timeout);
    }

    private async Task StepJobCodeAsync(JobCommand command)
    {
        var executing = model.Executing;
        if (executing.Count == 0)
        {
            return;
        }

        var job = executing[command.Target % executing.Count];
        var script = system.Scripts.Find(job.Id, job.Attempt) ?? throw new InvariantException($"no script for {job}");
        ScriptStep step;
        switch (command.Kind)
        {
            case JobCommandKind.Report:
                job.Reported = command.A / 4.0;
                job.ReportedPartial = command.B;
                step = new ScriptStep(ScriptStepKind.Report, job.Reported, command.B);
                break;
            case JobCommandKind.Message:
                var level = (JobMessageLevel)command.A;
                var texts = Enumerable.Range(0, command.B).Select(_ => model.NextMessage()).ToList();
                job.Messages.AddRange(texts.Select(t => (level, t)));
                step = new ScriptStep(ScriptStepKind.Message, Level: level, Texts: texts);
                break;
            case JobCommandKind.Complete:
                model.End(job, JobStatus.Completed, null);
                step = new ScriptStep(ScriptStepKind.Complete);
                break;
            case JobCommandKind.Fail:
                model.End(job, JobStatus.Failed, typeof(InvalidOperationException).FullName);
                step = new ScriptStep(ScriptStepKind.Fail);
                break;
            case JobCommandKind.FailWithForeignCancellation:
                // Any OperationCanceledException once the job's token fired counts as honouring it.
                if (job.TokenFired)
                {
                    model.End(job, JobStatus.Cancelled, null);
                }
                else
                {
                    model.End(job, JobStatus.Failed, typeof(OperationCanceledException).FullName);
                }

                step = new ScriptStep(ScriptStepKind.FailWithForeignCancellation);
                break;
            default:
                if (job.TokenFired)
                {
                    model.End(job, JobStatus.Cancelled, null);
                }
                else
                {
                    job.Code = CodeState.AwaitingToken;
                }

                step = new ScriptStep(ScriptStepKind.HonourCancellation);
                break;
        }

        await script.SendAsync(step).WaitAsync(TimeSpan.FromSeconds(20));
    }

    private async Task AdvanceAsync(TimeSpan delta)
    {
        var target = model.Now + delta;
        while (model.NextTimer() is { } next && next <= target)
        {
            model.FlushTicks(model.Now, next);
            model.Now = next;
            model.FireTimers();
            await MoveClockAsync(next);
            await SettleAndCheckAsync();
        }

        model.FlushTicks(model.Now, target);
        model.Now = target;
        await MoveClockAsync(target);
        await SettleAndCheckAsync();
    }

    /// <summary>Moves the clock from a thread-pool thread, as a real timer fires, without the test's synchronization context.</summary>
    private Task MoveClockAsync(DateTimeOffset to) => Task.Run(() => system.Time.SetUtcNow(to));

    private async Task SettleAndCheckAsync()
    {
        model.Claim();
        await system.WaitUntilAsync(Unsettled);
        CheckAgainstModel();
        await CheckListingAndStatisticsAsync();
        Expect(system.Problems.Problems.Count == 0, "the library logged problems:" + Environment.NewLine + string.Join(Environment.NewLine, system.Problems.Problems));
        var violations = system.Log.Violations;
        Expect(violations.Count == 0, "lifecycle violations:" + Environment.NewLine + string.Join(Environment.NewLine, violations));
    }

    /// <summary>Says what the system still has to do to reach the state the model predicts; null once it did.</summary>
    private string? Unsettled()
    {
        foreach (var job in model.Jobs)
        {
            var actual = Peek(job.Id);
            if (job.Removed != (actual is null))
            {
                return $"{job}: expected {(job.Removed ? "removed" : "present")}, store has {actual?.Status.ToString() ?? "nothing"}";
            }

            if (actual is not null && (actual.Status != job.Status || actual.Attempt != job.Attempt))
            {
                return $"{job}: store has {actual.Status} #{actual.Attempt}";
            }

            var script = system.Scripts.Find(job.Id, job.Attempt);
            if (job.Code != CodeState.None && script is null)
            {
                return $"{job}: code not started";
            }

            if (job.Code != CodeState.None && job.TokenFired && !(script!.TokenFired && system.Time.GraceStartedAt(job.Id, job.Attempt) is not null))
            {
                return $"{job}: token not fired or grace period not armed";
            }

            if (job.Code == CodeState.None && job.RanThisAttempt && script is { Exited: false })
            {
                return $"{job}: code still running";
            }
        }

        return null;
    }

    private void CheckAgainstModel()
    {
        var problems = new StringBuilder();
        foreach (var job in model.Jobs)
        {
            var actual = Peek(job.Id);
            if (actual is null)
            {
                continue;
            }

            void Check(bool ok, string what)
            {
                if (!ok)
                {
                    problems.AppendLine($"{job}: {what}");
                }
            }

            Check(actual.Type == job.Type && actual.Owner == job.Owner && actual.Tags.SequenceEqual(job.Tags) && actual.Timeout == job.Timeout, "identity changed");
            Check(actual.CreatedAt == job.CreatedAt, $"CreatedAt {actual.CreatedAt:O}");
            Check(actual.StartedAt == job.StartedAt, $"StartedAt {actual.StartedAt:O}, expected {job.StartedAt:O}");
            Check(actual.CompletedAt == job.CompletedAt, $"CompletedAt {actual.CompletedAt:O}, expected {job.CompletedAt:O}");
            Check(actual.ExpiresAt == job.ExpiresAt, $"ExpiresAt {actual.ExpiresAt:O}, expected {job.ExpiresAt:O}");
            Check(actual.CancelRequestedAt == job.CancelRequestedAt, $"CancelRequestedAt {actual.CancelRequestedAt:O}, expected {job.CancelRequestedAt:O}");
            Check(actual.CancelReason == job.CancelReason, $"CancelReason {actual.CancelReason}, expected {job.CancelReason}");
            Check(actual.CancelRequestedBy == job.CancelRequestedBy, $"CancelRequestedBy {actual.CancelRequestedBy}, expected {job.CancelRequestedBy}");
            Check(actual.IsDeleteRequested == job.DeleteRequested, $"IsDeleteRequested {actual.IsDeleteRequested}");
            Check(actual.IsCancellationOverdue == job.Overdue, $"IsCancellationOverdue {actual.IsCancellationOverdue}, expected {job.Overdue}");
            Check(actual.Progress.Fraction == job.Flushed, $"progress {actual.Progress.Fraction}, expected {job.Flushed}");
            Check((actual.PartialResult?.GetInt32()) == job.FlushedPartial, $"partial result {actual.PartialResult}, expected {job.FlushedPartial}");
            Check(actual.Error?.Type == job.ErrorType, $"error {actual.Error?.Type}, expected {job.ErrorType}");
            Check(actual.Result is null, "a result from a job without one");
            Check(actual.PreviousAttempts.Select(a => a.Status).SequenceEqual(job.PreviousStatuses), $"previous attempts [{string.Join(",", actual.PreviousAttempts.Select(a => a.Status))}], expected [{string.Join(",", job.PreviousStatuses)}]");
            if (job.Code != CodeState.None && job.TokenFired)
            {
                Check(system.Time.GraceStartedAt(job.Id, job.Attempt) == job.CancelRequestedAt, "grace period armed at another time than the cancellation");
            }

            var flushed = job.Messages.Take(job.FlushedMessages).ToList();
            var cap = system.Options.MaxMessagesPerLevel;
            var kept = flushed.Where(m => flushed.Skip(flushed.IndexOf(m) + 1).Count(n => n.Level == m.Level) < cap).ToList();
            Check(actual.Messages.Select(m => (m.Level, m.Text)).SequenceEqual(kept), $"messages [{string.Join(",", actual.Messages.Select(m => m.Text))}], expected [{string.Join(",", kept.Select(m => m.Text))}]");
            var dropped = new JobMessageCounts(
                flushed.Count(m => m.Level == JobMessageLevel.Info) - kept.Count(m => m.Level == JobMessageLevel.Info),
                flushed.Count(m => m.Level == JobMessageLevel.Warning) - kept.Count(m => m.Level == JobMessageLevel.Warning),
                flushed.Count(m => m.Level == JobMessageLevel.Error) - kept.Count(m => m.Level == JobMessageLevel.Error));
            Check(actual.DroppedMessages == dropped, $"dropped {actual.DroppedMessages}, expected {dropped}");
            Check(actual.Messages.All(m => m.Timestamp >= actual.StartedAt && m.Timestamp <= model.Now), "message timestamp outside the run");
            foreach (var problem in SnapshotInvariants.Check(actual, cap))
            {
                problems.AppendLine($"{job}: {problem}");
            }
        }

        Expect(problems.Length == 0, problems.ToString());
    }

    private async Task CheckListingAndStatisticsAsync()
    {
        // Every job exactly once across the pages, newest first, for one filter and page size per step.
        var filter = ListFilters[_step % ListFilters.Length];
        foreach (var (listFilter, pageSize) in new[] { (new JobFilter(), JobQuery.MaxPageSize), (filter, (_step % 3) + 1) })
        {
            var listed = new List<string>();
            var query = new JobQuery { Status = listFilter.Status, Type = listFilter.Type, Owner = listFilter.Owner, Tag = listFilter.Tag, PageSize = pageSize };
            do
            {
                var page = await system.Jobs.ListAsync(query);
                Expect(page.Items.Count <= pageSize, $"page of {page.Items.Count} for size {pageSize}");
                listed.AddRange(page.Items.Select(j => j.Id));
                query = query with { ContinuationToken = page.ContinuationToken };
            }
            while (query.ContinuationToken is not null);

            var expected = model.Live.Where(j => j.Matches(listFilter)).OrderByDescending(j => j.Order).Select(j => j.Id).ToList();
            Expect(listed.SequenceEqual(expected), $"listing {Describe(listFilter)} by {pageSize} gave {listed.Count} jobs [{string.Join(",", listed.Select(Short))}], expected [{string.Join(",", expected.Select(Short))}]");
        }

        var grouping = (JobGrouping)(_step % 4);
        var stats = await system.Jobs.GetStatisticsAsync(grouping);
        Expect(stats.Overall == Counts(model.Live), $"statistics {stats.Overall}, expected {Counts(model.Live)}");
        var groups = grouping switch
        {
            JobGrouping.Type => model.Live.GroupBy(j => j.Type),
            JobGrouping.Owner => model.Live.Where(j => j.Owner is not null).GroupBy(j => j.Owner!),
            JobGrouping.Tag => model.Live.SelectMany(j => j.Tags.Select(t => (Tag: t, Job: j))).GroupBy(p => p.Tag, p => p.Job),
            _ => [],
        };
        var expectedGroups = groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new JobGroupStatistics(g.Key, Counts(g))).ToList();
        Expect(stats.Groups.SequenceEqual(expectedGroups), $"groups by {grouping}: [{string.Join("; ", stats.Groups)}], expected [{string.Join("; ", expectedGroups)}]");
    }

    private static JobStatusCounts Counts(IEnumerable<ModelJob> jobs)
    {
        var counts = new int[6];
        foreach (var job in jobs)
        {
            counts[(int)job.Status]++;
        }

        return JobStatusCounts.FromArray(counts);
    }

    private JobSnapshot? Peek(string id)
    {
        var read = system.Store.GetAsync(id);
        return read.IsCompletedSuccessfully ? read.Result : throw new InvalidOperationException("The in-memory store read asynchronously.");
    }

    private string Short(string id) => model.Jobs.FirstOrDefault(j => j.Id == id)?.Order.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? id[..8];

    private static string Describe(JobFilter f) => $"(status {f.Status?.ToString() ?? "-"}, type {f.Type ?? "-"}, owner {f.Owner ?? "-"}, tag {f.Tag ?? "-"})";

    private void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantException($"step {_step}: {message}");
        }
    }
}

internal sealed class InvariantException(string message, Exception? inner = null) : Exception(message, inner);
