using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Cancellable.Jobs.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.Hosting;

/// <summary>
/// Runs pending jobs of the registered types, at most <see cref="CancellableJobsOptions.MaxConcurrentJobs"/> at once,
/// and cancels them with reason shutdown when the host stops.
/// </summary>
internal sealed class JobRunner : BackgroundService
{
    private readonly JobManager _manager;
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly TimeProvider _timeProvider;
    private readonly JobsTelemetry _telemetry;
    private readonly ILogger<JobRunner> _logger;
    private readonly CancellableJobsOptions _options;
    private readonly HashSet<string> _types;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, (JobRun Run, Task Task)> _runs = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TimerCallback _flush;
    private readonly TimerCallback _timeout;
    private readonly TimerCallback _overdue;
    private IDisposable? _subscription;
    private ITimer? _pollTimer;
    private int _polling;

    public JobRunner(JobManager manager, IServiceScopeFactory scopeFactory, TimeProvider timeProvider, JobsTelemetry telemetry, ILogger<JobRunner> logger)
    {
        _manager = manager;
        _scopeFactory = scopeFactory;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        _logger = logger;
        _options = manager.Options;
        _types = new HashSet<string>(manager.Registry.Names, StringComparer.Ordinal);
        _slots = new SemaphoreSlim(_options.MaxConcurrentJobs, _options.MaxConcurrentJobs);
        _flush = state => _ = FlushAsync((JobRun)state!);
        _timeout = state => Cancel((JobRun)state!, JobCancelReason.Timeout);
        _overdue = state => _ = MarkOverdueAsync((JobRun)state!);
    }

    /// <summary>Gets the number of jobs running in this process.</summary>
    public int RunningCount => _runs.Count;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = _manager.Store.Subscribe(OnChange);
        _pollTimer = _timeProvider.CreateTimer(static s => _ = ((JobRunner)s!).PollAsync(), this, _options.RunnerPollInterval, _options.RunnerPollInterval);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop claiming first, so no job starts after the shutdown cancellation went out.
        _pollTimer?.Dispose();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        var running = _runs.Values.ToArray();
        foreach (var (run, _) in running)
        {
            // Off this thread, one job each: a job's token callbacks are its own code, and one that blocks must not keep
            // the shutdown token from the jobs after it.
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Runner.Cancel(s.Run, JobCancelReason.Shutdown), (Runner: this, Run: run), preferLocal: false);
        }

        try
        {
            await Task.WhenAll(running.Select(r => r.Task)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.ShutdownIncomplete(_logger, _runs.Count);
        }
        finally
        {
            _subscription?.Dispose();
        }
    }

    public override void Dispose()
    {
        _pollTimer?.Dispose();
        _subscription?.Dispose();
        _slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
            JobSnapshot? job;
            try
            {
                job = await _manager.ClaimNextAsync(_types, Guid.NewGuid().ToString("N"), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                _slots.Release();
                break;
            }
            catch (Exception ex)
            {
                _slots.Release();
                Log.ClaimFailed(_logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), _timeProvider, stoppingToken).ConfigureAwait(false);
                continue;
            }

            if (job is null)
            {
                _slots.Release();
                await _wake.Reader.ReadAsync(stoppingToken).ConfigureAwait(false);
                continue;
            }

            var descriptor = _manager.Registry.Find(job.Type)!;
            var run = new JobRun(job, descriptor, new JobContext(job, _options, _timeProvider), _timeProvider.GetTimestamp());
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var task = Task.Run(async () =>
            {
                await started.Task.ConfigureAwait(false);
                await ExecuteRunAsync(run).ConfigureAwait(false);
            }, CancellationToken.None);
            _runs[job.Id] = (run, task);
            started.SetResult();
        }
    }

    private async Task ExecuteRunAsync(JobRun run)
    {
        var job = run.Job;
        using var activity = JobsTelemetry.ActivitySource.StartActivity("cancellable_jobs.run", ActivityKind.Internal);
        activity?.SetTag("cancellable_jobs.job.id", job.Id);
        activity?.SetTag(JobsTelemetry.JobTypeTag, job.Type);
        activity?.SetTag("cancellable_jobs.job.attempt", job.Attempt);
        _telemetry.Started(job.Type);
        Log.JobStarted(_logger, job.Id, job.Type, job.Attempt);

        JobStatus outcome;
        JsonElement? result = null;
        Exception? error = null;
        try
        {
            // A cancel that landed between the claim and the registration of this run was published before we listened.
            if (await _manager.Store.GetAsync(job.Id).ConfigureAwait(false) is { Status: JobStatus.Cancelling } current && current.RunId == run.RunId)
            {
                Cancel(run, current.CancelReason ?? JobCancelReason.Requested);
            }

            run.StartTimers(_timeProvider, _options.ProgressFlushInterval, _flush, _timeout);
            var scope = _scopeFactory.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                run.Token.ThrowIfCancellationRequested();
                result = await run.Descriptor.RunAsync(scope.ServiceProvider, job.Input, run.Context, _options.SerializerOptions, run.Token).ConfigureAwait(false);
            }

            if (result is { } json && !run.Context.FitsResultLimit(json, "result", "and the job still counts as completed"))
            {
                result = null;
            }

            outcome = JobStatus.Completed;
        }
        catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
        {
            outcome = JobStatus.Cancelled;
        }
        catch (Exception ex)
        {
            outcome = JobStatus.Failed;
            error = ex;
        }
        finally
        {
            run.StopTimers();
        }

        activity?.SetTag("cancellable_jobs.job.status", outcome.ToString());
        await EndAsync(run, outcome, result, error).ConfigureAwait(false);
        // Only this run's entry: a retry may already have claimed the job's next attempt under the same id.
        if (_runs.TryGetValue(job.Id, out var entry) && entry.Run == run)
        {
            _runs.TryRemove(KeyValuePair.Create(job.Id, entry));
        }

        run.Dispose();
        _slots.Release();
    }

    private async Task EndAsync(JobRun run, JobStatus outcome, JsonElement? result, Exception? error)
    {
        var job = run.Job;
        var duration = _timeProvider.GetElapsedTime(run.StartTimestamp);
        try
        {
            await run.WriteGate.WaitAsync().ConfigureAwait(false);
            if (run.LocalReason is { } localReason and not JobCancelReason.Requested)
            {
                // A job can stop inside its token's callback, before the timeout or shutdown was recorded: record it
                // first, so the job still passes through Cancelling and watchers see why it was cancelled.
                await _manager.UpdateAsync(job.Id, current => JobTransitions.Cancel(current, _timeProvider.GetUtcNow(), localReason, requestedBy: null, _manager.Retention, run.RunId), CancellationToken.None).ConfigureAwait(false);
            }

            var (_, ended) = await _manager.UpdateAsync(job.Id, current =>
            {
                var next = JobTransitions.End(current, run.RunId, outcome, _timeProvider.GetUtcNow(), _manager.Retention, run.LocalReason);
                if (next is null)
                {
                    return null;
                }

                next = run.Context.ApplyTo(next);
                return outcome switch
                {
                    JobStatus.Completed => next with { Result = result, Progress = next.Progress with { Fraction = 1 } },
                    JobStatus.Failed => next with { Error = JobError.From(error!, _options.MaxMessageLength) },
                    _ => next,
                };
            }, CancellationToken.None).ConfigureAwait(false);

            _telemetry.Ended(job.Type, outcome, duration);
            if (ended is null)
            {
                Log.EndRefused(_logger, job.Id, run.RunId);
                return;
            }

            switch (outcome)
            {
                case JobStatus.Completed:
                    Log.JobCompleted(_logger, job.Id, job.Type, duration);
                    break;
                case JobStatus.Failed:
                    Log.JobFailed(_logger, error!, job.Id, job.Type, ended.Error!);
                    break;
                default:
                    Log.JobCancelled(_logger, job.Id, job.Type, ended.CancelReason ?? JobCancelReason.Requested);
                    break;
            }

            await _manager.OnEndedAsync(ended, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.EndFailed(_logger, ex, job.Id);
        }
    }

    private void OnChange(JobChange change)
    {
        var job = change.Job;
        if (change.Kind == JobChangeKind.Created || job.Status == JobStatus.Pending)
        {
            _wake.Writer.TryWrite(true);
        }
        else if (job.Status == JobStatus.Cancelling && _runs.TryGetValue(job.Id, out var entry) && entry.Run.RunId == job.RunId)
        {
            // Fire the token off the store's thread: the job's token callbacks are the job's code.
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Runner.Cancel(s.Run, s.Reason), (Runner: this, entry.Run, Reason: job.CancelReason ?? JobCancelReason.Requested), preferLocal: false);
        }
    }

    /// <summary>
    /// Makes up for lost notifications: wakes the claim loop, and re-reads each running job's record to fire the token of
    /// a job whose cancellation was recorded (its status is durable) but never announced to this process, or whose record
    /// no longer belongs to this run.
    /// </summary>
    internal async Task PollAsync()
    {
        if (Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return;
        }

        try
        {
            _wake.Writer.TryWrite(true);
            foreach (var (run, _) in _runs.Values)
            {
                if (run.LocalReason is not null)
                {
                    continue;
                }

                try
                {
                    var current = await _manager.Store.GetAsync(run.Job.Id).ConfigureAwait(false);
                    if (current is null || current.RunId != run.RunId || current.Status.IsTerminal())
                    {
                        // Another party ended or took over this run (its lease lapsed): stop our copy; its writes are refused.
                        Cancel(run, JobCancelReason.Stale);
                    }
                    else if (current.Status == JobStatus.Cancelling)
                    {
                        Cancel(run, current.CancelReason ?? JobCancelReason.Requested);
                    }
                }
                catch (Exception ex)
                {
                    Log.PollFailed(_logger, ex, run.Job.Id);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    private void Cancel(JobRun run, JobCancelReason reason)
    {
        if (!run.TryCancel(reason))
        {
            return;
        }

        run.StartOverdueTimer(_timeProvider, _options.CancellationGracePeriod, _overdue);
        if (reason != JobCancelReason.Requested)
        {
            // Timeout and shutdown start here, not in the store: record them so watchers see Cancelling and why.
            _ = RecordLocalCancelAsync(run, reason);
        }
    }

    private async Task RecordLocalCancelAsync(JobRun run, JobCancelReason reason)
    {
        try
        {
            var (_, after) = await _manager.UpdateAsync(run.Job.Id, job => JobTransitions.Cancel(job, _timeProvider.GetUtcNow(), reason, requestedBy: null, _manager.Retention, run.RunId), CancellationToken.None).ConfigureAwait(false);
            if (after is not null)
            {
                Log.CancellationRequested(_logger, after.Id, after.Type, reason);
            }
        }
        catch (Exception ex)
        {
            Log.FlushFailed(_logger, ex, run.Job.Id);
        }
    }

    private async Task FlushAsync(JobRun run)
    {
        try
        {
            if (!run.Context.IsDirty || !run.WriteGate.Wait(0))
            {
                return;
            }
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            await _manager.UpdateAsync(run.Job.Id, job => JobTransitions.Report(job, run.RunId, run.Context), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.FlushFailed(_logger, ex, run.Job.Id);
        }
        finally
        {
            try
            {
                run.WriteGate.Release();
            }
            catch (ObjectDisposedException)
            {
                // The run ended while this flush was writing; the end already wrote everything.
            }
        }
    }

    private async Task MarkOverdueAsync(JobRun run)
    {
        try
        {
            var (_, after) = await _manager.UpdateAsync(run.Job.Id, job => JobTransitions.MarkOverdue(job, run.RunId), CancellationToken.None).ConfigureAwait(false);
            if (after is not null)
            {
                Log.CancellationOverdue(_logger, after.Id, after.Type, _options.CancellationGracePeriod);
            }
        }
        catch (Exception ex)
        {
            Log.FlushFailed(_logger, ex, run.Job.Id);
        }
    }
}
