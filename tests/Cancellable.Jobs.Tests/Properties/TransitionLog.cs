namespace Cancellable.Jobs.Tests.Properties;

/// <summary>
/// Watches every change a store publishes and records what breaks the lifecycle: an illegal transition, a second
/// terminal outcome in one attempt, a change after removal, a duplicate creation, a version that does not grow by one, a
/// previous status that is not the status last published.
/// </summary>
internal sealed class TransitionLog : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, JobSnapshot> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<JobStatus?>> _history = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), List<JobStatus>> _terminals = [];
    private readonly List<string> _violations = [];
    private readonly List<(string JobId, long Version, TaskCompletionSource Heard)> _versionWaiters = [];
    private readonly IDisposable _subscription;
    private readonly int _maxMessagesPerLevel;

    public TransitionLog(Cancellable.Jobs.Storage.IJobStore store, int maxMessagesPerLevel)
    {
        _maxMessagesPerLevel = maxMessagesPerLevel;
        _subscription = store.Subscribe(OnChange);
    }

    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_lock)
            {
                return [.. _violations];
            }
        }
    }

    /// <summary>Gets the terminal statuses each attempt reached, in order.</summary>
    public IReadOnlyList<JobStatus> TerminalsOf(string jobId, int attempt)
    {
        lock (_lock)
        {
            return _terminals.TryGetValue((jobId, attempt), out var list) ? [.. list] : [];
        }
    }

    /// <summary>
    /// Waits until the log heard the change that made <paramref name="jobId"/>'s record reach <paramref name="version"/>:
    /// a store shows a record a moment before it has published the change to its subscribers.
    /// </summary>
    public Task WaitForVersionAsync(string jobId, long version, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_last.TryGetValue(jobId, out var last) && last.Version >= version)
            {
                return Task.CompletedTask;
            }

            var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _versionWaiters.Add((jobId, version, heard));
            return heard.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Gets the statuses of one job, in the order the store published them, with "Removed" as null.</summary>
    public IReadOnlyList<JobStatus?> History(string jobId)
    {
        lock (_lock)
        {
            return _history.TryGetValue(jobId, out var list) ? [.. list] : [];
        }
    }

    public static bool IsLegal(JobStatus from, JobStatus to) => (from, to) switch
    {
        (JobStatus.Pending, JobStatus.Pending) => true,
        (JobStatus.Pending, JobStatus.Running) => true,
        (JobStatus.Pending, JobStatus.Cancelled) => true,
        (JobStatus.Running, JobStatus.Running) => true,
        (JobStatus.Running, JobStatus.Cancelling) => true,
        (JobStatus.Running, JobStatus.Completed) => true,
        (JobStatus.Running, JobStatus.Failed) => true,
        (JobStatus.Cancelling, JobStatus.Cancelling) => true,
        (JobStatus.Cancelling, JobStatus.Cancelled) => true,
        (JobStatus.Cancelling, JobStatus.Completed) => true,
        (JobStatus.Cancelling, JobStatus.Failed) => true,
        (JobStatus.Failed, JobStatus.Pending) => true,
        (JobStatus.Cancelled, JobStatus.Pending) => true,
        _ => false,
    };

    public void Dispose() => _subscription.Dispose();

    private void OnChange(JobChange change)
    {
        var job = change.Job;
        lock (_lock)
        {
            if (!_history.TryGetValue(job.Id, out var history))
            {
                _history[job.Id] = history = [];
            }

            history.Add(change.Kind == JobChangeKind.Removed ? null : job.Status);
            _versionWaiters.RemoveAll(w =>
            {
                var heard = string.Equals(w.JobId, job.Id, StringComparison.Ordinal) && job.Version >= w.Version;
                if (heard)
                {
                    w.Heard.TrySetResult();
                }

                return heard;
            });
            foreach (var problem in SnapshotInvariants.Check(job, _maxMessagesPerLevel))
            {
                _violations.Add($"{change.Kind} {Describe(job)}: {problem}");
            }

            if (_removed.Contains(job.Id))
            {
                _violations.Add($"{change.Kind} after removal: {Describe(job)}");
                return;
            }

            if (change.Kind != JobChangeKind.Updated && change.PreviousStatus is not null)
            {
                _violations.Add($"{change.Kind} with previous status {change.PreviousStatus}: {Describe(job)}");
            }

            _last.TryGetValue(job.Id, out var previous);
            switch (change.Kind)
            {
                case JobChangeKind.Created:
                    if (previous is not null)
                    {
                        _violations.Add($"created twice: {Describe(job)}");
                    }
                    else if (job.Status != JobStatus.Pending || job.Attempt != 1 || job.Version != 1)
                    {
                        _violations.Add($"created as {Describe(job)}");
                    }

                    break;

                case JobChangeKind.Updated:
                    if (previous is null)
                    {
                        _violations.Add($"updated before creation: {Describe(job)}");
                        break;
                    }

                    if (job.Version != previous.Version + 1)
                    {
                        _violations.Add($"version {previous.Version} -> {job.Version}: {Describe(job)}");
                    }

                    if (change.PreviousStatus != previous.Status)
                    {
                        _violations.Add($"previous status {change.PreviousStatus?.ToString() ?? "unknown"} on {previous.Status} -> {job.Status}: {Describe(job)}");
                    }

                    if (!IsLegal(previous.Status, job.Status))
                    {
                        _violations.Add($"illegal transition {previous.Status} -> {job.Status}: {Describe(job)}");
                    }

                    var retried = previous.Status.IsTerminal() && job.Status == JobStatus.Pending;
                    if (job.Attempt != previous.Attempt + (retried ? 1 : 0))
                    {
                        _violations.Add($"attempt {previous.Attempt} -> {job.Attempt} on {previous.Status} -> {job.Status}: {Describe(job)}");
                    }

                    if (job.Status.IsTerminal() && !previous.Status.IsTerminal())
                    {
                        if (!_terminals.TryGetValue((job.Id, job.Attempt), out var terminals))
                        {
                            _terminals[(job.Id, job.Attempt)] = terminals = [];
                        }

                        terminals.Add(job.Status);
                        if (terminals.Count > 1)
                        {
                            _violations.Add($"attempt {job.Attempt} ended twice ({string.Join(", ", terminals)}): {Describe(job)}");
                        }
                    }

                    break;

                case JobChangeKind.Removed:
                    if (previous is null)
                    {
                        _violations.Add($"removed before creation: {Describe(job)}");
                    }
                    else if (job.Version != previous.Version)
                    {
                        _violations.Add($"removed version {job.Version}, last published {previous.Version}: {Describe(job)}");
                    }

                    if (job.Status is JobStatus.Running or JobStatus.Cancelling)
                    {
                        _violations.Add($"removed while its code runs: {Describe(job)}");
                    }

                    _removed.Add(job.Id);
                    break;
            }

            _last[job.Id] = job;
        }
    }

    private static string Describe(JobSnapshot job) => $"{job.Id[..8]} #{job.Attempt} {job.Status} v{job.Version}";
}
