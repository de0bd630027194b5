using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using Cancellable.Jobs.Storage;
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
    private readonly InMemoryJobStore? _memoryStore; // the store, when it is the in-memory one: claims and ends in batches
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly TimeProvider _timeProvider;
    private readonly JobsTelemetry _telemetry;
    private readonly ILogger<JobRunner> _logger;
    private readonly CancellableJobsOptions _options;
    private readonly HashSet<string> _types;
    // By run id, not job id: a job whose lease lapsed can be re-queued and claimed again here while this process still
    // runs its old copy, and the poll must still reach that copy to stop it.
    private readonly ConcurrentDictionary<string, JobRun> _runs = new(StringComparer.Ordinal);
    // One reader, waiting without a token (a cancellable wait costs an allocation each time): stopping writes to it.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _abandonEndWrites = new();
    private readonly TimerCallback _timeout;
    private readonly Func<JobSnapshot, JobSnapshot> _start;
    private readonly TimerCallback _overdue;
    private readonly Func<JobSnapshot, JobRun, JobSnapshot?> _end; // a run's end, from the job's current record
    private readonly ulong _runIdPrefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(sizeof(ulong)));
    private IDisposable? _subscription;
    private ITimer? _pollTimer;
    private ITimer? _flushTimer;
    private long _runCount;
    private readonly JobSnapshot?[] _claimed; // the jobs of the claim in progress; only the claim loop uses it
    private readonly Action<JobRun> _execute;
    private TaskCompletionSource? _drained; // set by StopAsync: completed once the last run left the table
    // Ends of in-memory runs waiting for the end writer, which writes them in batches; only the writer uses the buffers.
    private readonly ConcurrentQueue<JobRun> _endings = new();
    private readonly JobRun[] _endBatch;
    private readonly JobSnapshot?[] _endedBatch;
    private int _endWriterQueued;
    private static readonly JobSnapshot NotWritten = new() { Id = "", Type = "", Status = JobStatus.Pending, CreatedAt = default }; // an end the writer failed to write
    private int _idle;
    private int _active;
    private int _waitingForSlot;
    private int _polling;

    public JobRunner(JobManager manager, IServiceScopeFactory scopeFactory, TimeProvider timeProvider, JobsTelemetry telemetry, ILogger<JobRunner> logger)
    {
        _manager = manager;
        _scopeFactory = scopeFactory;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        _logger = logger;
        _options = manager.Options;
        _memoryStore = manager.Store as InMemoryJobStore;
        _types = new HashSet<string>(manager.Registry.Names, StringComparer.Ordinal);
        _timeout = state => Cancel((JobRun)state!, JobCancelReason.Timeout);
        // One delegate for every claim, rather than a closure per claim.
        _start = job => JobTransitions.Start(job, _timeProvider.GetUtcNow(), NextRunId())!;
        _claimed = new JobSnapshot?[_options.MaxConcurrentJobs];
        _endBatch = new JobRun[Math.Min(_options.MaxConcurrentJobs, 64)];
        _endedBatch = new JobSnapshot?[_endBatch.Length];
        _execute = run => _ = ExecuteRunAsync(run); // it catches and logs every exception of the run
        _overdue = state => _ = MarkOverdueAsync((JobRun)state!);
        _end = (job, run) => JobTransitions.End(job, run.RunId, run.Outcome, run.EndedAt, _manager.Retention, run.LocalReason, run.Context, run.Result, run.JobError);
    }

    /// <summary>The wait before a failed end-of-run write is tried again; it doubles up to <see cref="EndRetryMaxDelay"/>.</summary>
    internal static readonly TimeSpan EndRetryFirstDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two tries of a failed end-of-run write.</summary>
    internal static readonly TimeSpan EndRetryMaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Gets the number of jobs running in this process.</summary>
    public int RunningCount => _runs.Count;

    /// <summary>Gets the number of ended runs whose end waits for the end writer.</summary>
    internal int QueuedEnds => _endings.Count;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = _manager.Store.Subscribe(OnChange);
        _manager.CancelLocalRun = CancelLocalRun;
        _pollTimer = _timeProvider.CreateTimer(static s => _ = ((JobRunner)s!).PollAsync(), this, _options.RunnerPollInterval, _options.RunnerPollInterval);
        _flushTimer = _timeProvider.CreateTimer(static s => ((JobRunner)s!).FlushAll(), this, _options.ProgressFlushInterval, _options.ProgressFlushInterval);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop claiming first, so no job starts after the shutdown cancellation went out.
        _pollTimer?.Dispose();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Every run leaves the table once its end is written: wait until the table is empty. A host may stop twice at
        // once (WebApplicationFactory's disposal does): every call waits on the first one's signal, which the last run
        // to leave completes (a full fence here and in Leave, so one of the two sees the other).
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _drained, drained, null) is { } first)
        {
            drained = first;
        }
        else
        {
            foreach (var run in _runs.Values)
            {
                // Off this thread, one job each: a job's token callbacks are its own code, and one that blocks must not keep
                // the shutdown token from the jobs after it.
                ThreadPool.UnsafeQueueUserWorkItem(static s => s.Runner.Cancel(s.Run, JobCancelReason.Shutdown), (Runner: this, Run: run), preferLocal: false);
            }
        }

        try
        {
            if (_runs.IsEmpty)
            {
                drained.TrySetResult();
            }

            await drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.ShutdownIncomplete(_logger, _runs.Count);
            await _abandonEndWrites.CancelAsync().ConfigureAwait(false); // runs still writing their end give up
        }
        finally
        {
            _subscription?.Dispose();
            _flushTimer?.Dispose();
        }
    }

    public override void Dispose()
    {
        _abandonEndWrites.Cancel(); // not disposed: a run may still be reading its token; it holds no timer
        _pollTimer?.Dispose();
        _flushTimer?.Dispose();
        _subscription?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = stoppingToken.UnsafeRegister(static s => ((JobRunner)s!)._wake.Writer.TryWrite(true), this);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!HasFreeSlot())
            {
                await _wake.Reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            int claimed;
            try
            {
                claimed = await ClaimAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.ClaimFailed(_logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), _timeProvider, stoppingToken).ConfigureAwait(false);
                continue;
            }

            if (claimed == 0)
            {
                // Changes wake this loop only while it sleeps. It says so before one more look at the store, so a job
                // created between that look and the sleep still wakes it.
                if (Volatile.Read(ref _idle) == 0)
                {
                    Volatile.Write(ref _idle, 1);
                    continue;
                }

                await _wake.Reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                Volatile.Write(ref _idle, 0);
                continue;
            }

            Volatile.Write(ref _idle, 0);
            for (var i = 0; i < claimed; i++)
            {
                var job = _claimed[i]!;
                _claimed[i] = null;
                Interlocked.Increment(ref _active);
                var descriptor = _manager.Registry.Find(job.Type)!;
                var run = new JobRun(job, descriptor, new JobContext(job, _options, _timeProvider), _timeProvider.GetTimestamp(), _execute);
                // Registered before it starts, so a cancel arriving at once finds it. It runs as a work item of the pool's
                // global queue (not this thread's last-in-first-out one), so jobs start in the order they were claimed, and
                // a job that blocks before its first await holds up neither this loop nor other jobs; a job that completes
                // at once (such as one that only enqueues work) allocates no task for its run.
                _runs[run.RunId] = run;
                ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: false);
            }
        }
    }

    /// <summary>
    /// Claims pending jobs into <see cref="_claimed"/>: from the in-memory store as many as there are free slots under one
    /// acquisition of its lock (only this loop takes slots, so they stay free), from another store one.
    /// </summary>
    /// <returns>How many were claimed.</returns>
    private ValueTask<int> ClaimAsync(CancellationToken cancellationToken)
    {
        if (_memoryStore is { } memory)
        {
            return new(memory.ClaimNext(_types, _start, _claimed.AsSpan(0, _options.MaxConcurrentJobs - Volatile.Read(ref _active))));
        }

        return ClaimOneAsync(cancellationToken);

        async ValueTask<int> ClaimOneAsync(CancellationToken cancellationToken)
        {
            _claimed[0] = await _manager.Store.ClaimNextAsync(_types, _start, cancellationToken).ConfigureAwait(false);
            return _claimed[0] is null ? 0 : 1;
        }
    }

    /// <summary>Tells whether a job may start; when none may, the next run to end wakes the loop.</summary>
    private bool HasFreeSlot()
    {
        // Only this loop takes slots, so a free slot seen here stays free until it takes it.
        if (Volatile.Read(ref _active) < _options.MaxConcurrentJobs)
        {
            return true;
        }

        // Full: say so before looking again (a full fence each side), so a run ending after this look sees the flag.
        Interlocked.Exchange(ref _waitingForSlot, 1);
        if (Volatile.Read(ref _active) < _options.MaxConcurrentJobs)
        {
            Volatile.Write(ref _waitingForSlot, 0);
            return true;
        }

        return false;
    }

    private void ReleaseSlot()
    {
        Interlocked.Decrement(ref _active);
        if (Volatile.Read(ref _waitingForSlot) != 0 && Interlocked.Exchange(ref _waitingForSlot, 0) != 0)
        {
            _wake.Writer.TryWrite(true);
        }
    }

    /// <summary>
    /// Returns a fencing token no other run in any process shares: a random 64-bit prefix per runner and a counter.
    /// </summary>
    private string NextRunId() =>
        string.Create(CultureInfo.InvariantCulture, $"{_runIdPrefix:x16}{Interlocked.Increment(ref _runCount):x}");

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
        byte[]? result = null;
        Exception? error = null;
        try
        {
            // A cancel that landed between the claim and the registration of this run was published before we listened.
            if (await _manager.Store.GetAsync(job.Id).ConfigureAwait(false) is { Status: JobStatus.Cancelling } current && current.RunId == run.RunId)
            {
                Cancel(run, current.CancelReason ?? JobCancelReason.Requested);
            }

            run.StartTimeout(_timeProvider, _timeout);
            var scope = _scopeFactory.CreateAsyncScope();
            try
            {
                run.Token.ThrowIfCancellationRequested();
                result = await run.Descriptor.RunAsync(scope.ServiceProvider, job.InputUtf8, run.Context, _options.SerializerOptions, run.Token).ConfigureAwait(false);
            }
            finally
            {
                await scope.DisposeAsync().ConfigureAwait(false); // on the struct: `await using (scope.ConfigureAwait(false))` boxes it
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
        run.SetOutcome(outcome, result, error, _options.MaxMessageLength, _timeProvider.GetUtcNow(), _timeProvider.GetElapsedTime(run.StartTimestamp));
        if (_memoryStore is not null && run.LocalReason is (null or JobCancelReason.Requested) && run.TryBeginEnd())
        {
            // In memory, one writer writes the ends of the runs that finished meanwhile, under one acquisition of the
            // store's lock and off this thread: whoever the job's code woke (the caller of a short job, a canceller) gets
            // this thread back at once.
            QueueEnd(run);
            return;
        }

        if (run.Token.IsCancellationRequested)
        {
            // The job may have stopped inside its token's Cancel(), on the canceller's thread (CancelAsync, a timeout's
            // timer, shutdown): write its end on the pool, so that the canceller gets its thread back at once.
            await Task.Yield();
        }

        await run.BeginEndAsync().ConfigureAwait(false);
        await FinishAsync(run, written: false, ended: null).ConfigureAwait(false);
    }

    /// <summary>Queues the end of a run that took its writes, and has the end writer run unless it runs already.</summary>
    private void QueueEnd(JobRun run)
    {
        _endings.Enqueue(run);
        if (Interlocked.Exchange(ref _endWriterQueued, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static runner => runner.WriteEnds(), this, preferLocal: false);
        }
    }

    /// <summary>
    /// The end writer: writes the queued ends in batches, each under one acquisition of the in-memory store's lock, until
    /// none is left. One runs at a time.
    /// </summary>
    private void WriteEnds()
    {
        var batch = _endBatch;
        var ended = _endedBatch;
        while (true)
        {
            var count = 0;
            while (count < batch.Length && _endings.TryDequeue(out var run))
            {
                batch[count++] = run;
            }

            if (count == 0)
            {
                // Say the writer stopped before looking once more (a full fence each side, as QueueEnd's), so an end queued
                // after this look queues a writer.
                Interlocked.Exchange(ref _endWriterQueued, 0);
                if (_endings.IsEmpty || Interlocked.Exchange(ref _endWriterQueued, 1) != 0)
                {
                    return;
                }

                continue;
            }

            ended.AsSpan(0, count).Fill(NotWritten);
            try
            {
                _memoryStore!.UpdateEach(batch.AsSpan(0, count), static run => run.Job.Id, _end, ended.AsSpan(0, count));
            }
            catch (Exception ex)
            {
                Log.EndFailed(_logger, ex, batch[0].Job.Id);
            }

            for (var i = 0; i < count; i++)
            {
                // Where the batch failed, the run writes its end itself, as it does with a store other than this one.
                var written = !ReferenceEquals(ended[i], NotWritten);
                _ = FinishAsync(batch[i], written, written ? ended[i] : null);
                batch[i] = null!;
                ended[i] = null;
            }
        }
    }

    /// <summary>
    /// Writes the run's end unless the end writer <paramref name="written"/> it, counts, logs and follows it up, and takes
    /// the run out of the table.
    /// </summary>
    /// <param name="run">A run whose code ended, holding its end's writes.</param>
    /// <param name="written">Whether the end writer wrote its end already.</param>
    /// <param name="ended">The job as the end writer wrote it (null: the store refused it).</param>
    private async Task FinishAsync(JobRun run, bool written, JobSnapshot? ended)
    {
        try
        {
            if (!written)
            {
                ended = await WriteEndAsync(run).ConfigureAwait(false);
            }

            await AfterEndAsync(run, ended).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.EndFailed(_logger, ex, run.Job.Id);
        }

        Leave(run);
    }

    /// <summary>Counts, logs and follows up (sweeper, deletion) a run's end as written; null: the store refused it.</summary>
    private ValueTask AfterEndAsync(JobRun run, JobSnapshot? ended)
    {
        var job = run.Job;
        _telemetry.Ended(job.Type, run.Outcome, run.Duration);
        if (ended is null)
        {
            Log.EndRefused(_logger, job.Id, run.RunId);
            return ValueTask.CompletedTask;
        }

        switch (run.Outcome)
        {
            case JobStatus.Completed:
                Log.JobCompleted(_logger, job.Id, job.Type, run.Duration);
                break;
            case JobStatus.Failed:
                Log.JobFailed(_logger, run.Error!, job.Id, job.Type, ended.Error!);
                break;
            default:
                Log.JobCancelled(_logger, job.Id, job.Type, ended.CancelReason ?? JobCancelReason.Requested);
                break;
        }

        return _manager.OnEndedAsync(ended, CancellationToken.None);
    }

    /// <summary>Takes an ended run out of the table and frees its slot.</summary>
    private void Leave(JobRun run)
    {
        _runs.TryRemove(run.RunId, out _);
        Interlocked.MemoryBarrier(); // pairs with StopAsync's exchange: it sees the table empty, or this sees its signal
        if (_runs.IsEmpty && Volatile.Read(ref _drained) is { } drained)
        {
            drained.TrySetResult(); // the host is stopping and this was its last run
        }

        run.Dispose();
        ReleaseSlot();
    }

    /// <summary>
    /// Writes the run's outcome. A failed write (the store is unreachable) is tried again with backoff until it is
    /// applied or refused (with a distributed store, another instance marks the job stale once its lease lapses, and
    /// then refuses this run's write), or until the host's shutdown timeout gives up on this run.
    /// </summary>
    /// <returns>The job as ended, or null when the store refused the end (another run holds the job, or it is gone).</returns>
    private async ValueTask<JobSnapshot?> WriteEndAsync(JobRun run)
    {
        var job = run.Job;
        var delay = EndRetryFirstDelay;
        while (true)
        {
            try
            {
                if (run.LocalReason is { } localReason and not JobCancelReason.Requested)
                {
                    // A job can stop inside its token's callback, before the timeout or shutdown was recorded: record it
                    // first, so the job still passes through Cancelling and watchers see why it was cancelled.
                    await RecordCancelAsync(run, localReason).ConfigureAwait(false);
                }

                return (await _manager.UpdateAsync(job.Id, run, _end, CancellationToken.None).ConfigureAwait(false)).After;
            }
            catch (Exception ex) when (!_abandonEndWrites.IsCancellationRequested)
            {
                // The timer is created before the log line, so whoever reads the log may move the clock past it.
                var wait = Task.Delay(delay, _timeProvider, _abandonEndWrites.Token);
                Log.EndRetrying(_logger, ex, job.Id, delay);
                await wait.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = delay * 2 < EndRetryMaxDelay ? delay * 2 : EndRetryMaxDelay;
            }
        }
    }

    private void OnChange(JobChange change)
    {
        var job = change.Job;
        if (change.Kind == JobChangeKind.Created || job.Status == JobStatus.Pending)
        {
            if (Volatile.Read(ref _idle) != 0)
            {
                _wake.Writer.TryWrite(true);
            }
        }
        else if (job.Status == JobStatus.Cancelling && !JobManager.IsWritingOwnCancel(job.Id) && job.RunId is { } runId && _runs.TryGetValue(runId, out var run) && run.LocalReason is null)
        {
            // A cancel asked for in this process fires the token on the asking thread (CancelLocalRun) once its write
            // returns; this path serves the others. Fire it off the store's thread: the job's token callbacks are the
            // job's code.
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Runner.Cancel(s.Run, s.Reason), (Runner: this, Run: run, Reason: job.CancelReason ?? JobCancelReason.Requested), preferLocal: false);
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
            foreach (var run in _runs.Values)
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

    /// <summary>Fires the token of this process's run of <paramref name="job"/>, whose cancellation was recorded.</summary>
    private void CancelLocalRun(JobSnapshot job)
    {
        if (job.RunId is { } runId && _runs.TryGetValue(runId, out var run))
        {
            Cancel(run, job.CancelReason ?? JobCancelReason.Requested);
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
            if (await RecordCancelAsync(run, reason).ConfigureAwait(false) is { } after)
            {
                Log.CancellationRequested(_logger, after.Id, after.Type, reason);
            }
        }
        catch (Exception ex)
        {
            Log.FlushFailed(_logger, ex, run.Job.Id);
        }
    }

    /// <summary>Records a cancellation that started in this process (timeout, shutdown), so watchers see Cancelling and why.</summary>
    private async ValueTask<JobSnapshot?> RecordCancelAsync(JobRun run, JobCancelReason reason) =>
        (await _manager.UpdateAsync(
            run.Job.Id,
            (Runner: this, Run: run, Reason: reason),
            static (job, s) => JobTransitions.Cancel(job, s.Runner._timeProvider.GetUtcNow(), s.Reason, requestedBy: null, s.Runner._manager.Retention, s.Run.RunId),
            CancellationToken.None).ConfigureAwait(false)).After;

    /// <summary>
    /// Writes what each running job reported since its last write: one timer for all runs, so a job's write rate is at
    /// most one per <see cref="CancellableJobsOptions.ProgressFlushInterval"/>.
    /// </summary>
    private void FlushAll()
    {
        foreach (var run in _runs.Values)
        {
            // A run's first flush waits one interval after its start (which wrote the record), as its later ones wait for
            // the next tick: one write per interval at most, whatever the timer's phase.
            if (run.Context.IsDirty && _timeProvider.GetUtcNow() - run.Job.StartedAt >= _options.ProgressFlushInterval)
            {
                _ = FlushAsync(run);
            }
        }
    }

    private async Task FlushAsync(JobRun run)
    {
        if (!run.TryBeginFlush())
        {
            return;
        }

        try
        {
            await _manager.UpdateAsync(run.Job.Id, run, static (job, run) => JobTransitions.Report(job, run.RunId, run.Context), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.FlushFailed(_logger, ex, run.Job.Id);
        }
        finally
        {
            run.EndFlush();
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
