using System.Text.Json;

namespace Cancellable.Jobs.Storage;

/// <summary>
/// How <see cref="InMemoryJobStore"/> keeps a finished job: about a third of a <see cref="JobSnapshot"/>'s size, turned
/// back into an equal snapshot on read.
/// </summary>
/// <remarks>
/// A finished job is read now and then and never written by its run again, while the store may keep hundreds of
/// thousands of them; an active job keeps its snapshot, which the manager reads and swaps on every transition. The id is
/// kept as two numbers when it is 32 lowercase hex digits; times as UTC ticks (a snapshot read back has offset zero, which
/// compares equal); JSON values (input, partial result, result) as their UTF-8 text, about a tenth of a
/// <see cref="JsonDocument"/> for a small value, read into a document of their own on each read (snapshots compare them
/// by their text); the fields a finished job rarely has (result, error, messages, cancellation, retries...) in one
/// <see cref="FinishedJobDetails"/>, left out when they all hold their defaults. Lists are kept by reference, so that the
/// snapshot read back equals the one written.
/// </remarks>
internal sealed class FinishedJob
{
    private const byte CancellationOverdue = 1;
    private const byte DeleteRequested = 2;
    private const byte HexId = 4;

    private static readonly JobSnapshot Defaults = new() { Id = string.Empty, Type = string.Empty, Status = JobStatus.Completed, CreatedAt = default };

    private readonly ulong _idHigh;
    private readonly ulong _idLow;
    private readonly FinishedJobDetails? _details;
    private readonly byte[]? _input;
    private readonly JobProgress _progress;
    private readonly long _createdAt;
    private readonly long _startedAt;
    private readonly long _completedAt;
    private readonly long _expiresAt;
    private readonly int _attempt;
    private readonly byte _status;
    private readonly byte _flags;

    /// <summary>Initializes a new instance of the <see cref="FinishedJob"/> class.</summary>
    /// <param name="job">The finished job, as stored.</param>
    /// <param name="type">The job's type, as the store's index holds it (one string for every job of the type).</param>
    /// <param name="owner">The job's owner, likewise.</param>
    public FinishedJob(JobSnapshot job, string type, string? owner)
    {
        Type = type;
        Owner = owner;
        Tags = job.Tags;
        Sequence = job.Sequence;
        Version = job.Version;
        _progress = job.Progress;
        _createdAt = job.CreatedAt.UtcTicks;
        _startedAt = JobSnapshot.ToTicks(job.StartedAt);
        _completedAt = JobSnapshot.ToTicks(job.CompletedAt);
        _expiresAt = JobSnapshot.ToTicks(job.ExpiresAt);
        _attempt = job.Attempt;
        _input = job.InputUtf8;
        _status = (byte)job.Status;
        _flags = (byte)((job.IsCancellationOverdue ? CancellationOverdue : 0) | (job.IsDeleteRequested ? DeleteRequested : 0));
        if (JobKey.TryParseHex(job.Id, out _idHigh, out _idLow))
        {
            _flags |= HexId;
        }

        if ((_flags & HexId) == 0 || NeedsDetails(job))
        {
            _details = new FinishedJobDetails(job, (_flags & HexId) == 0 ? job.Id : null);
        }
    }

    /// <summary>Gets the job's type.</summary>
    public string Type { get; }

    /// <summary>Gets the job's owner.</summary>
    public string? Owner { get; }

    /// <summary>Gets the job's tags.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Gets the job's sequence.</summary>
    public long Sequence { get; }

    /// <summary>Gets the job's version.</summary>
    public long Version { get; }

    /// <summary>Gets the job's status.</summary>
    public JobStatus Status => (JobStatus)_status;

    /// <summary>Gets when the job expires, in UTC ticks, if it does.</summary>
    public long? ExpiresAtTicks => Decode(_expiresAt);

    /// <summary>Gets when the job completed, in UTC ticks, if it has that time.</summary>
    public long? CompletedAtTicks => Decode(_completedAt);

    /// <summary>Gets the key of the job's id.</summary>
    public JobKey Key => (_flags & HexId) != 0 ? JobKey.FromHex(_idHigh, _idLow) : JobKey.From(_details!.Id!);

    /// <summary>Tells whether <paramref name="key"/> is this job's id.</summary>
    public bool Matches(in JobKey key) => (_flags & HexId) != 0
        ? key.IsHex && key.High == _idHigh && key.Low == _idLow
        : !key.IsHex && string.Equals(key.Text, _details!.Id, StringComparison.Ordinal);

    /// <summary>Tells whether the job matches a filter, as <see cref="JobFilter.Matches(JobSnapshot)"/> does its snapshot.</summary>
    public bool Matches(JobFilter filter) => filter.Matches(Status, Type, Owner, Tags);

    /// <summary>Makes the snapshot the job was stored from.</summary>
    /// <param name="id">The job's id when the caller has it (a read by id), to save formatting it.</param>
    /// <returns>A snapshot equal to the one stored.</returns>
    public JobSnapshot ToSnapshot(string? id = null)
    {
        var details = _details;
        if (details is null)
        {
            // The rare fields keep the snapshot's own defaults, the same instances as Defaults' (fewer writes: a read of a
            // plain finished job costs little more than the allocation).
            return new JobSnapshot
            {
                Id = id ?? JobKey.FormatHex(_idHigh, _idLow),
                Type = Type,
                Status = Status,
                Attempt = _attempt,
                Owner = Owner,
                Tags = Tags,
                InputUtf8 = _input,
                Progress = _progress,
                CreatedAt = new DateTimeOffset(_createdAt, TimeSpan.Zero),
                StartedAt = JobSnapshot.ToTime(_startedAt),
                CompletedAt = JobSnapshot.ToTime(_completedAt),
                IsCancellationOverdue = (_flags & CancellationOverdue) != 0,
                IsDeleteRequested = (_flags & DeleteRequested) != 0,
                ExpiresAt = JobSnapshot.ToTime(_expiresAt),
                Sequence = Sequence,
                Version = Version,
            };
        }

        return new JobSnapshot
        {
            Id = id ?? details.Id ?? JobKey.FormatHex(_idHigh, _idLow),
            Type = Type,
            Status = Status,
            Attempt = _attempt,
            Owner = Owner,
            Tags = Tags,
            InputUtf8 = _input,
            Progress = _progress,
            Messages = details.Messages,
            DroppedMessages = details.DroppedMessages,
            PartialResultUtf8 = details.PartialResult,
            ResultUtf8 = details.Result,
            Error = details.Error,
            CreatedAt = new DateTimeOffset(_createdAt, TimeSpan.Zero),
            StartedAt = JobSnapshot.ToTime(_startedAt),
            CompletedAt = JobSnapshot.ToTime(_completedAt),
            CancelRequestedAt = details.CancelRequestedAt,
            CancelReason = details.CancelReason,
            CancelRequestedBy = details.CancelRequestedBy,
            IsCancellationOverdue = (_flags & CancellationOverdue) != 0,
            IsDeleteRequested = (_flags & DeleteRequested) != 0,
            Timeout = details.Timeout,
            ExpiresAt = JobSnapshot.ToTime(_expiresAt),
            PreviousAttempts = details.PreviousAttempts,
            RunId = details.RunId,
            Sequence = Sequence,
            Version = Version,
        };
    }

    private static bool NeedsDetails(JobSnapshot job) =>
        job.PartialResultUtf8 is not null
        || job.ResultUtf8 is not null
        || job.Error is not null
        || !ReferenceEquals(job.Messages, Defaults.Messages)
        || !JobMessageCounts.None.Equals(job.DroppedMessages)
        || job.CancelRequestedAt.HasValue
        || job.CancelReason.HasValue
        || job.CancelRequestedBy is not null
        || job.Timeout.HasValue
        || !ReferenceEquals(job.PreviousAttempts, Defaults.PreviousAttempts)
        || job.RunId is not null;

    // Optional times are kept as the snapshot keeps them (JobSnapshot.ToTicks).
    private static long? Decode(long ticks) => ticks == JobSnapshot.NoValue ? null : ticks;

    /// <summary>The fields a finished job rarely has, kept apart so that a plain finished job does not pay for them.</summary>
    /// <remarks>Nullable values are kept as the value and a flag.</remarks>
    private sealed class FinishedJobDetails
    {
        private const byte TimeoutSet = 1;
        private const byte CancelReasonSet = 2;

        private readonly long _cancelRequestedAt;
        private readonly long _timeout;
        private readonly int _cancelReason;
        private readonly byte _set;

        public FinishedJobDetails(JobSnapshot job, string? id)
        {
            Id = id;
            Messages = job.Messages;
            DroppedMessages = job.DroppedMessages;
            Error = job.Error;
            CancelRequestedBy = job.CancelRequestedBy;
            PreviousAttempts = job.PreviousAttempts;
            RunId = job.RunId;
            _cancelRequestedAt = JobSnapshot.ToTicks(job.CancelRequestedAt);
            PartialResult = job.PartialResultUtf8;
            Result = job.ResultUtf8;
            _set = (byte)(Keep(job.Timeout?.Ticks, ref _timeout, TimeoutSet)
                | Keep((int?)job.CancelReason, ref _cancelReason, CancelReasonSet));

            static int Keep<T>(T? value, ref T field, byte flag)
                where T : struct
            {
                field = value.GetValueOrDefault();
                return value.HasValue ? flag : 0;
            }
        }

        public string? Id { get; }

        public IReadOnlyList<JobMessage> Messages { get; }

        public JobMessageCounts DroppedMessages { get; }

        public JobError? Error { get; }

        public string? CancelRequestedBy { get; }

        public IReadOnlyList<JobAttempt> PreviousAttempts { get; }

        public string? RunId { get; }

        public byte[]? PartialResult { get; }

        public byte[]? Result { get; }

        public DateTimeOffset? CancelRequestedAt => JobSnapshot.ToTime(_cancelRequestedAt);

        public TimeSpan? Timeout => (_set & TimeoutSet) != 0 ? TimeSpan.FromTicks(_timeout) : null;

        public JobCancelReason? CancelReason => (_set & CancelReasonSet) != 0 ? (JobCancelReason)_cancelReason : null;
    }
}
