using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.Testing;

/// <summary>
/// The contract every <see cref="IJobStore"/> must keep. A store's test project derives from this class, says how to
/// create an empty store, and runs every test here against it.
/// </summary>
/// <remarks>
/// Each test gets a new, empty store from <see cref="CreateStoreAsync"/> and releases it through
/// <see cref="DisposeStoreAsync"/>. Timestamps are whole milliseconds near the real clock, so stores that keep time in
/// milliseconds or expire records in a server round-trip them unchanged.
/// </remarks>
public abstract partial class JobStoreConformanceTests : IAsyncLifetime
{
    private IJobStore? _store;
    private int _nextId;

    /// <summary>Gets a timeout that only guards against hangs.</summary>
    protected static TimeSpan HangTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the time the test's jobs are created at.</summary>
    protected DateTimeOffset Now { get; } = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>Gets the store under test.</summary>
    protected IJobStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Creates a new, empty store.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IJobStore> CreateStoreAsync();

    /// <summary>Releases a store made by <see cref="CreateStoreAsync"/>; by default disposes it when it is disposable.</summary>
    /// <param name="store">The store.</param>
    /// <returns>A task that completes when the store is released.</returns>
    protected virtual async Task DisposeStoreAsync(IJobStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <inheritdoc />
    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await DisposeStoreAsync(_store);
        }
    }

    /// <summary>Builds a pending job that is not stored yet, with an id unique within the test.</summary>
    protected JobSnapshot NewJob(string type = "alpha", string? owner = null, params string[] tags) => new()
    {
        Id = $"job-{Interlocked.Increment(ref _nextId):D4}-{Guid.NewGuid():N}",
        Type = type,
        Status = JobStatus.Pending,
        Owner = owner,
        Tags = tags,
        CreatedAt = Now,
    };

    /// <summary>Creates a pending job and returns it as stored.</summary>
    protected async Task<JobSnapshot> CreateAsync(JobSnapshot job, int maxPendingJobs = int.MaxValue)
    {
        var stored = await Store.CreateAsync(job, maxPendingJobs);
        Assert.NotNull(stored);
        return stored;
    }

    /// <summary>Creates a pending job of <paramref name="type"/> and returns it as stored.</summary>
    protected Task<JobSnapshot> CreateAsync(string type = "alpha", string? owner = null, params string[] tags) =>
        CreateAsync(NewJob(type, owner, tags));

    /// <summary>Replaces a job with a new status and returns it as stored.</summary>
    protected async Task<JobSnapshot> MoveAsync(JobSnapshot job, JobStatus status, DateTimeOffset? completedAt = null, DateTimeOffset? expiresAt = null)
    {
        var next = job with
        {
            Status = status,
            StartedAt = status == JobStatus.Pending ? null : job.StartedAt ?? Now,
            CompletedAt = status.IsTerminal() ? completedAt ?? Now : null,
            ExpiresAt = status.IsTerminal() ? expiresAt : null,
        };
        var stored = await Store.ReplaceAsync(job, next);
        Assert.NotNull(stored);
        return stored;
    }

    /// <summary>Creates a job and moves it to a terminal status.</summary>
    protected async Task<JobSnapshot> CreateFinishedAsync(JobStatus status, DateTimeOffset completedAt, DateTimeOffset? expiresAt = null, string type = "alpha") =>
        await MoveAsync(await CreateAsync(type), status, completedAt, expiresAt);

    private static JobSnapshot Start(JobSnapshot job) => job with { Status = JobStatus.Running, StartedAt = job.CreatedAt, RunId = Guid.NewGuid().ToString("N") };
}
