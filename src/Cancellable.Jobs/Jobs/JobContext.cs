namespace Cancellable.Jobs;

/// <summary>
/// What a running job talks to: progress, weighted steps, messages and a partial result.
/// </summary>
/// <remarks>
/// Everything reported here is kept in memory and written to the store at most once per
/// <see cref="CancellableJobsOptions.ProgressFlushInterval"/>, and once more when the job ends, so reporting is cheap
/// in a tight loop. All members are safe to call from several threads.
/// </remarks>
public sealed class JobContext
{
    private readonly JobSnapshot _job; // the job as claimed: its id, type, attempt, owner and tags
    private JobStep? _root; // made on the first report or step: most short jobs report none
    private readonly TimeProvider _timeProvider;
    private readonly CancellableJobsOptions _options;
    private readonly object _lock = new();
    private int[]? _dropped; // made with the message queues
    private Queue<(long Sequence, JobMessage Message)>[]? _messages; // made on the first message: most jobs send none
    private long _messageSequence;
    private bool _messagesChanged;
    private IReadOnlyList<JobMessage>? _messageList;
    private JobMessageCounts? _droppedCounts;
    private byte[]? _partialResult;
    private int _dirty;
    private int _steps;

    internal JobContext(JobSnapshot job, CancellableJobsOptions options, TimeProvider timeProvider)
    {
        _job = job;
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>Gets the job's id.</summary>
    public string JobId => _job.Id;

    /// <summary>Gets the job's registered type name.</summary>
    public string JobType => _job.Type;

    /// <summary>Gets the number of this attempt, starting at 1.</summary>
    public int Attempt => _job.Attempt;

    /// <summary>Gets who started the job, when known.</summary>
    public string? Owner => _job.Owner;

    /// <summary>Gets the job's tags.</summary>
    public IReadOnlyList<string> Tags => _job.Tags;

    /// <summary>
    /// Reports the fraction of the job that is done; ignored once the job has steps.
    /// </summary>
    /// <param name="fraction">The fraction done, in [0, 1].</param>
    /// <param name="currentStep">What the job is doing now, or <see langword="null"/> to keep the previous text.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is NaN, infinite or outside [0, 1].</exception>
    public void ReportProgress(double fraction, string? currentStep = null) => Root.ReportProgress(fraction, currentStep);

    /// <summary>
    /// Reports how many of the job's items are processed.
    /// </summary>
    /// <param name="processed">The count processed, from 0 to <paramref name="total"/>.</param>
    /// <param name="total">The count to process; 0 means there is nothing to do, which counts as done.</param>
    /// <param name="currentStep">What the job is doing now, such as "batch 3 of 10", or <see langword="null"/> to keep the previous text.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="total"/> is negative, or <paramref name="processed"/> is outside [0, <paramref name="total"/>].</exception>
    public void ReportProgress(long processed, long total, string? currentStep = null) => Root.ReportProgress(processed, total, currentStep);

    /// <summary>
    /// Declares a weighted sub-operation of the job, or returns the one already declared with that name.
    /// </summary>
    /// <param name="name">The step's name, unique among its siblings.</param>
    /// <param name="weight">The step's weight relative to its siblings: a positive, finite number.</param>
    /// <returns>The step, which reports its own progress and can have steps of its own.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or longer than 256 characters.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is not positive and finite.</exception>
    /// <exception cref="InvalidOperationException">
    /// The job already declared <see cref="CancellableJobsOptions.MaxStepsPerJob"/> steps (counted at every depth).
    /// </exception>
    public JobStep Step(string name, double weight = 1) => Root.Step(name, weight);

    /// <summary>Adds an information message.</summary>
    /// <param name="message">The text; untrusted, never interpreted as markup.</param>
    public void Info(string message) => Add(JobMessageLevel.Info, message);

    /// <summary>Adds a warning.</summary>
    /// <param name="message">The text; untrusted, never interpreted as markup.</param>
    public void Warning(string message) => Add(JobMessageLevel.Warning, message);

    /// <summary>Adds an error message; the job goes on unless it throws.</summary>
    /// <param name="message">The text; untrusted, never interpreted as markup.</param>
    public void Error(string message) => Add(JobMessageLevel.Error, message);

    /// <summary>
    /// Sets the job's partial result, which is kept when the job is cancelled or fails (such as the ids removed so far).
    /// </summary>
    /// <typeparam name="T">The type of the partial result.</typeparam>
    /// <param name="value">The partial result; it is serialized to JSON at once, so later changes to it are not seen.</param>
    /// <remarks>
    /// A partial result larger than <see cref="CancellableJobsOptions.MaxResultSize"/> is not kept: the previous one stays,
    /// and the job gets an error message that says so.
    /// </remarks>
    public void SetPartialResult<T>(T value)
    {
        var json = JobJson.SerializeToUtf8(value, _options.SerializerOptions);
        if (!FitsResultLimit(json, "partial result", "the previous one stays"))
        {
            return;
        }

        lock (_lock)
        {
            _partialResult = json;
        }

        MarkDirty();
    }

    /// <summary>The progress of a job that completed without reporting any.</summary>
    private static readonly JobProgress CompletedProgress = new() { Fraction = 1 };

    /// <summary>Gets the step the job's own progress and its top-level steps belong to, made on first use.</summary>
    private JobStep Root => Volatile.Read(ref _root) ?? MakeRoot();

    /// <summary>Gets the longest text kept from a message or a current-step text.</summary>
    internal int MaxTextLength => _options.MaxMessageLength;

    /// <summary>Gets the lock of the context's reports, which its steps also take to add a child (a rare write).</summary>
    internal object SyncRoot => _lock;

    /// <summary>Counts a step about to be declared; throws when the job already has <see cref="CancellableJobsOptions.MaxStepsPerJob"/>.</summary>
    /// <param name="name">The step's name, already checked to be at most <see cref="JobStep.MaxNameLength"/> characters.</param>
    internal void ReserveStep(string name)
    {
        if (Interlocked.Increment(ref _steps) > _options.MaxStepsPerJob)
        {
            Interlocked.Decrement(ref _steps);
            throw new InvalidOperationException($"A job declares at most {_options.MaxStepsPerJob} steps (CancellableJobsOptions.MaxStepsPerJob); step '{name}' was not added.");
        }
    }

    /// <summary>
    /// Whether <paramref name="json"/> is within <see cref="CancellableJobsOptions.MaxResultSize"/>; when it is not, the
    /// job gets an error message that says what was not kept.
    /// </summary>
    internal bool FitsResultLimit(byte[] json, string what, string consequence)
    {
        if (json.Length <= _options.MaxResultSize)
        {
            return true;
        }

        Error($"The {what} is {json.Length} bytes of JSON, more than CancellableJobsOptions.MaxResultSize ({_options.MaxResultSize}); it was not kept, {consequence}.");
        return false;
    }

    internal bool IsDirty => Volatile.Read(ref _dirty) != 0;

    internal void MarkDirty() => Volatile.Write(ref _dirty, 1);

    /// <summary>
    /// Copies what the job reported into <paramref name="job"/>; a report racing this call is seen by the next one.
    /// </summary>
    internal JobSnapshot ApplyTo(JobSnapshot job)
    {
        var report = Capture(outcome: null);
        return job with
        {
            Progress = report.Progress,
            PartialResultUtf8 = report.PartialResult ?? job.PartialResultUtf8,
            Messages = report.Messages ?? job.Messages,
            DroppedMessages = report.DroppedMessages ?? job.DroppedMessages,
        };
    }

    /// <summary>Takes what the job reported so far; a report racing this call is seen by the next one.</summary>
    /// <param name="outcome">When the run ended, how: a completed job is all done.</param>
    internal Report Capture(JobStatus? outcome)
    {
        Volatile.Write(ref _dirty, 0);
        var progress = Volatile.Read(ref _root)?.ToProgress() ?? JobProgress.None;
        if (outcome == JobStatus.Completed)
        {
            progress = progress == JobProgress.None ? CompletedProgress : progress with { Fraction = 1 };
        }

        lock (_lock)
        {
            if (_messagesChanged && _messages is not null)
            {
                var all = new List<(long Sequence, JobMessage Message)>(_messages[0].Count + _messages[1].Count + _messages[2].Count);
                foreach (var queue in _messages)
                {
                    all.AddRange(queue);
                }

                all.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
                _messageList = all.ConvertAll(static m => m.Message);
                _droppedCounts = new JobMessageCounts(_dropped![0], _dropped[1], _dropped[2]);
                _messagesChanged = false;
            }

            return new Report(progress, _partialResult, _messageList, _droppedCounts);
        }
    }

    private void Add(JobMessageLevel level, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = Truncate(message, _options.MaxMessageLength);
        var entry = new JobMessage(level, text, _timeProvider.GetUtcNow());
        lock (_lock)
        {
            _messages ??= [new(), new(), new()];
            _dropped ??= new int[3];
            var queue = _messages[(int)level];
            if (queue.Count >= _options.MaxMessagesPerLevel)
            {
                queue.Dequeue();
                _dropped[(int)level]++;
            }

            queue.Enqueue((++_messageSequence, entry));
            _messagesChanged = true;
        }

        MarkDirty();
    }

    private JobStep MakeRoot()
    {
        var root = new JobStep(this, string.Empty, 1);
        return Interlocked.CompareExchange(ref _root, root, null) ?? root; // another thread's, if it made one first
    }

    internal static string Truncate(string text, int maxLength) =>
        text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength), $"… [truncated {text.Length - maxLength} characters]");

    /// <summary>What a job reported, as <see cref="Capture"/> took it; a null part was never reported.</summary>
    internal readonly record struct Report(JobProgress Progress, byte[]? PartialResult, IReadOnlyList<JobMessage>? Messages, JobMessageCounts? DroppedMessages);
}
