using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Benchmarks.Baseline;

/// <summary>
/// The least work a runner does that keeps the library's promises for a trivial job, written for the throughput
/// scenario to tell how fast any design with those promises can be on this machine: it is not the library and not
/// meant for use.
/// </summary>
/// <remarks>
/// <para>
/// Kept: a record per job that a reader or a cancel can find by its id (32 hex digits) at any time, the input held as
/// JSON, a queue of pending jobs, at most <see cref="MaxConcurrentJobs"/> runs at once on the thread pool (a job's code
/// must not hold up the others), a token and a DI scope per run, and each change (created, running, ended) published
/// to a subscriber with a snapshot of the job, as <see cref="Storage.IJobStore.Subscribe"/> does.
/// </para>
/// <para>
/// Left out, which the library does: indexes for pages and statistics by status, type and owner; expiry and a compact
/// form for finished jobs; pending and retention bounds; a job context (progress, messages, partial results) and its
/// flush; timeouts; telemetry and logging; ids that cannot be guessed; failures and cancellation. Its records are never
/// removed.
/// </para>
/// </remarks>
public sealed class LeastWorkJobRunner(IServiceProvider services, Action<JobChange> onChange)
{
    /// <summary>The library's default <see cref="CancellableJobsOptions.MaxConcurrentJobs"/>.</summary>
    public const int MaxConcurrentJobs = 20;

    private readonly object _lock = new();
    private readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly Queue<Job> _pending = new();
    private readonly List<(Job Job, JobSnapshot Running)> _claimed = new(MaxConcurrentJobs);
    private long _lastId;
    private int _running;
    private bool _claiming;

    /// <summary>Adds a pending job of <typeparamref name="TJob"/> with <paramref name="input"/> and returns its id.</summary>
    public string Start<TJob>(int input)
        where TJob : IJob<int>
    {
        var id = Interlocked.Increment(ref _lastId).ToString("x32", CultureInfo.InvariantCulture);
        var job = new Job(id, typeof(TJob), JsonSerializer.SerializeToUtf8Bytes(input), DateTimeOffset.UtcNow);
        var created = job.ToSnapshot(); // before the claim can change it
        lock (_lock)
        {
            _jobs.Add(id, job);
            _pending.Enqueue(job);
        }

        onChange(new JobChange(JobChangeKind.Created, created));
        ClaimWhenIdle();
        return id;
    }

    /// <summary>Cancels the job's run when it runs; tells whether the job exists.</summary>
    public bool Cancel(string id)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(id, out var job))
            {
                return false;
            }

            job.Cancellation?.Cancel();
            return true;
        }
    }

    /// <summary>Claims pending jobs for the free run slots, on one thread at a time.</summary>
    private void ClaimWhenIdle()
    {
        lock (_lock)
        {
            if (_claiming || _running == MaxConcurrentJobs || _pending.Count == 0)
            {
                return;
            }

            _claiming = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static runner => runner.Claim(), this, preferLocal: false);
    }

    private void Claim()
    {
        while (true)
        {
            lock (_lock)
            {
                _claimed.Clear();
                while (_running < MaxConcurrentJobs && _pending.TryDequeue(out var job))
                {
                    job.Status = JobStatus.Running;
                    job.Cancellation = new CancellationTokenSource();
                    job.Version++;
                    _running++;
                    _claimed.Add((job, job.ToSnapshot()));
                }

                if (_claimed.Count == 0)
                {
                    _claiming = false;
                    return;
                }
            }

            foreach (var (job, running) in _claimed)
            {
                onChange(new JobChange(JobChangeKind.Updated, running));
                ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Runner.RunAsync(state.Job), (Runner: this, Job: job), preferLocal: false);
            }
        }
    }

    private async Task RunAsync(Job job)
    {
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var instance = (IJob<int>)scope.ServiceProvider.GetRequiredService(job.Type);
            await instance.ExecuteAsync(JsonSerializer.Deserialize<int>(job.Input), null!, job.Cancellation!.Token).ConfigureAwait(false);
        }

        JobSnapshot ended;
        lock (_lock)
        {
            job.Status = JobStatus.Completed;
            job.Cancellation!.Dispose();
            job.Cancellation = null;
            job.Version++;
            _running--;
            ended = job.ToSnapshot();
        }

        onChange(new JobChange(JobChangeKind.Updated, ended));
        ClaimWhenIdle();
    }

    /// <summary>A job's record: mutable, changed under the runner's lock.</summary>
    private sealed class Job(string id, Type type, byte[] input, DateTimeOffset createdAt)
    {
        public string Id { get; } = id;

        public Type Type { get; } = type;

        public byte[] Input { get; } = input;

        public JobStatus Status { get; set; } = JobStatus.Pending;

        public long Version { get; set; } = 1;

        public CancellationTokenSource? Cancellation { get; set; }

        public JobSnapshot ToSnapshot() => new()
        {
            Id = Id,
            Type = Type.Name,
            Status = Status,
            Version = Version,
            CreatedAt = createdAt,
        };
    }
}
