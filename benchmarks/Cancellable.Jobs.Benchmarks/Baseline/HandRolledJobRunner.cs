using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Cancellable.Jobs.Benchmarks.Baseline;

/// <summary>
/// The code teams write by hand instead of a job library, and the baseline every figure is held against: an unbounded
/// channel, one consumer loop, a <see cref="CancellationTokenSource"/> per job and a dictionary keeping finished records.
/// </summary>
public sealed class HandRolledJobRunner : IAsyncDisposable
{
    private readonly Channel<HandRolledJob> _queue = Channel.CreateUnbounded<HandRolledJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, HandRolledJob> _jobs = new();
    private readonly Task _loop;
    private long _nextId;

    public HandRolledJobRunner() => _loop = Task.Run(ConsumeAsync);

    public ConcurrentDictionary<string, HandRolledJob> Jobs => _jobs;

    public HandRolledJob Start(Func<HandRolledJob, CancellationToken, Task> work)
    {
        var job = new HandRolledJob(Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture), work);
        _jobs[job.Id] = job;
        _queue.Writer.TryWrite(job);
        return job;
    }

    public bool Cancel(string id)
    {
        if (!_jobs.TryGetValue(id, out var job))
        {
            return false;
        }

        job.Cancellation.Cancel();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task ConsumeAsync()
    {
        await foreach (var job in _queue.Reader.ReadAllAsync())
        {
            job.Status = JobStatus.Running;
            try
            {
                await job.Work(job, job.Cancellation.Token);
                job.Status = JobStatus.Completed;
            }
            catch (OperationCanceledException)
            {
                job.Status = JobStatus.Cancelled;
            }
            catch (Exception ex)
            {
                job.Status = JobStatus.Failed;
                job.Error = ex.Message;
            }

            job.CompletedAt = DateTimeOffset.UnixEpoch;
            job.Done.TrySetResult();
        }
    }
}

/// <summary>One job of the hand-rolled baseline: mutable fields, as such code usually has.</summary>
public sealed class HandRolledJob(string id, Func<HandRolledJob, CancellationToken, Task> work)
{
    public string Id { get; } = id;

    public Func<HandRolledJob, CancellationToken, Task> Work { get; } = work;

    public CancellationTokenSource Cancellation { get; } = new();

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public JobStatus Status { get; set; }

    public double Progress;

    public string? Error { get; set; }

    public string? Owner { get; set; }

    public DateTimeOffset CompletedAt { get; set; }
}
