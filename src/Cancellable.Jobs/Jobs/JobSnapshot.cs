using System.Text.Json;

namespace Cancellable.Jobs;

/// <summary>
/// The immutable read model of one job: what it is, where it stands and what it reported.
/// </summary>
/// <remarks>
/// A snapshot is a value: it never changes after a store returned it. Stores replace it as a whole on each
/// transition, and <see cref="Version"/> grows by one with each replacement. Times are kept in UTC (a time given with
/// another offset reads back as the same instant at offset zero). Two snapshots are equal when every member is; the JSON
/// members (<see cref="Input"/>, <see cref="PartialResult"/>, <see cref="Result"/>) are equal when their JSON text is the
/// same, whichever document holds it.
/// </remarks>
public sealed record JobSnapshot
{
    // A job is copied on every transition and kept for its retention: its times are UTC ticks (NoValue for none), its
    // JSON values their UTF-8 text (no JsonDocument per value), and the members most jobs never set live in a shared part
    // made only when one is: 144 bytes for a job that ran without them (208 with every member inline).
    /// <summary>The ticks that stand for no value (DateTimeOffset.MinValue stays a time, TimeSpan.Zero a timeout).</summary>
    internal const long NoValue = long.MinValue;
    private string _type = null!;
    private string? _owner;
    private IReadOnlyList<string> _tags = [];
    private long _sequence;
    private long _createdAt;
    private long _startedAt = NoValue;
    private long _completedAt = NoValue;
    private long _expiresAt = NoValue;
    private long _timeout = NoValue;
    private JsonText _input;
    private Rare? _rare; // the members most snapshots leave at their defaults; null while all of them are

    /// <summary>Gets the job's id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the job's registered type name, such as <c>removal_workflow</c>.</summary>
    public required string Type { get => _type; init => _type = value; }

    /// <summary>Gets the job's status.</summary>
    public required JobStatus Status { get; init; }

    /// <summary>Gets the number of the current attempt, starting at 1; a retry adds one.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Gets who started the job, such as <c>admin@example.com</c>, when known.</summary>
    public string? Owner { get => _owner; init => _owner = value; }

    /// <summary>Gets the job's tags, such as <c>project:42</c>.</summary>
    public IReadOnlyList<string> Tags { get => _tags; init => _tags = value; }

    /// <summary>Gets the job's input, as JSON.</summary>
    /// <remarks>The snapshot keeps the JSON text: each read parses it into an element of its own.</remarks>
    public JsonElement? Input { get => _input.ToElement(); init => _input = JsonText.From(value); }

    /// <summary>Gets the job's progress, as last flushed to the store.</summary>
    public JobProgress Progress { get; init; } = JobProgress.None;

    /// <summary>Gets the job's messages, oldest first; each level keeps its newest messages up to the configured cap.</summary>
    public IReadOnlyList<JobMessage> Messages { get => _rare?.Messages ?? []; init => SetRare(Messages, value, static (rare, v) => rare with { Messages = v }); }

    /// <summary>Gets how many messages of each level were dropped to keep within the cap.</summary>
    public JobMessageCounts DroppedMessages { get => _rare?.DroppedMessages ?? JobMessageCounts.None; init => SetRare(DroppedMessages, value, static (rare, v) => rare with { DroppedMessages = v }); }

    /// <summary>Gets the partial result the job last set, as JSON; it survives cancellation and failure.</summary>
    /// <remarks>The snapshot keeps the JSON text: each read parses it into an element of its own.</remarks>
    public JsonElement? PartialResult { get => PartialResultText.ToElement(); init => SetRare(PartialResultText, JsonText.From(value), static (rare, v) => rare with { PartialResult = v }); }

    /// <summary>Gets the job's result, as JSON, once it completed and when its type has one.</summary>
    /// <remarks>The snapshot keeps the JSON text: each read parses it into an element of its own.</remarks>
    public JsonElement? Result { get => ResultText.ToElement(); init => SetRare(ResultText, JsonText.From(value), static (rare, v) => rare with { Result = v }); }

    /// <summary>Gets the error that failed the job.</summary>
    public JobError? Error { get => _rare?.Error; init => SetRare(Error, value, static (rare, v) => rare with { Error = v }); }

    /// <summary>Gets when the job was created.</summary>
    public required DateTimeOffset CreatedAt { get => new(_createdAt, TimeSpan.Zero); init => _createdAt = value.UtcTicks; }

    /// <summary>Gets when the current attempt started running.</summary>
    public DateTimeOffset? StartedAt { get => ToTime(_startedAt); init => _startedAt = ToTicks(value); }

    /// <summary>
    /// Gets when the current attempt reached its terminal status: for an attempt that ran, when its code returned or threw
    /// (not when that was written); for a job cancelled before it started, when it was cancelled. It is never earlier than
    /// <see cref="CancelRequestedAt"/>: a cancel written after the code returned but before its end moves it to the request.
    /// </summary>
    public DateTimeOffset? CompletedAt { get => ToTime(_completedAt); init => _completedAt = ToTicks(value); }

    /// <summary>Gets when cancellation of the current attempt was requested.</summary>
    public DateTimeOffset? CancelRequestedAt { get => ToTime(_rare?.CancelRequestedAt ?? NoValue); init => SetRare(_rare?.CancelRequestedAt ?? NoValue, ToTicks(value), static (rare, v) => rare with { CancelRequestedAt = v }); }

    /// <summary>Gets why the current attempt was cancelled, once cancellation was requested.</summary>
    public JobCancelReason? CancelReason { get => _rare?.CancelReason; init => SetRare(CancelReason, value, static (rare, v) => rare with { CancelReason = v }); }

    /// <summary>Gets who asked for the cancellation, when someone did and said who.</summary>
    public string? CancelRequestedBy { get => _rare?.CancelRequestedBy; init => SetRare(CancelRequestedBy, value, static (rare, v) => rare with { CancelRequestedBy = v }); }

    /// <summary>
    /// Gets a value indicating whether the job stayed <see cref="JobStatus.Cancelling"/> longer than the grace
    /// period: its code ignores its cancellation token.
    /// </summary>
    public bool IsCancellationOverdue { get => _rare?.IsCancellationOverdue ?? false; init => SetRare(IsCancellationOverdue, value, static (rare, v) => rare with { IsCancellationOverdue = v }); }

    /// <summary>Gets a value indicating whether the job is removed as soon as it stops.</summary>
    public bool IsDeleteRequested { get => _rare?.IsDeleteRequested ?? false; init => SetRare(IsDeleteRequested, value, static (rare, v) => rare with { IsDeleteRequested = v }); }

    /// <summary>Gets the job's timeout per attempt, when it has one.</summary>
    public TimeSpan? Timeout { get => _timeout == NoValue ? null : new TimeSpan(_timeout); init => _timeout = value is { } timeout ? timeout.Ticks : NoValue; }

    /// <summary>Gets when a finished job is removed from the store.</summary>
    public DateTimeOffset? ExpiresAt { get => ToTime(_expiresAt); init => _expiresAt = ToTicks(value); }

    /// <summary>Gets the earlier attempts, oldest first, when the job was retried.</summary>
    public IReadOnlyList<JobAttempt> PreviousAttempts { get => _rare?.PreviousAttempts ?? []; init => SetRare(PreviousAttempts, value, static (rare, v) => rare with { PreviousAttempts = v }); }

    /// <summary>
    /// Gets the fencing token of the current run: set when a runner claims the job, and required to match for the
    /// runner's later writes.
    /// </summary>
    public string? RunId { get; init; }

    /// <summary>Gets the order of creation in the store: a larger value is a newer job.</summary>
    public long Sequence { get => _sequence; init => _sequence = value; }

    /// <summary>Gets the version of this record in the store; every replacement adds one.</summary>
    public long Version { get; init; }

    /// <summary>Gets or initializes <see cref="Input"/> as the UTF-8 JSON text the snapshot keeps (never changed once set).</summary>
    internal byte[]? InputUtf8 { get => _input.Utf8; init => _input = new JsonText(value); }

    /// <summary>Gets or initializes <see cref="PartialResult"/> as the UTF-8 JSON text the snapshot keeps.</summary>
    internal byte[]? PartialResultUtf8 { get => PartialResultText.Utf8; init => SetRare(PartialResultText, new JsonText(value), static (rare, v) => rare with { PartialResult = v }); }

    /// <summary>Gets or initializes <see cref="Result"/> as the UTF-8 JSON text the snapshot keeps.</summary>
    internal byte[]? ResultUtf8 { get => ResultText.Utf8; init => SetRare(ResultText, new JsonText(value), static (rare, v) => rare with { Result = v }); }

    private JsonText PartialResultText => _rare?.PartialResult ?? default;

    private JsonText ResultText => _rare?.Result ?? default;

    /// <summary>
    /// Gives this snapshot its place in the in-memory store: its sequence, and the store's copies of its type, owner and
    /// tag strings. Only for the store keeping a snapshot that the job manager made for it and holds no other reference
    /// to, before anyone else can see it: that saves one copy of every job created.
    /// </summary>
    internal void AssignStoreFields(long sequence, string type, string? owner, IReadOnlyList<string> tags)
    {
        _sequence = sequence;
        _type = type;
        _owner = owner;
        _tags = tags;
    }

    /// <summary>Gets an optional time from its UTC ticks, <see cref="NoValue"/> for none (as snapshots and stores keep it).</summary>
    internal static DateTimeOffset? ToTime(long ticks) => ticks == NoValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    /// <summary>Gets an optional time's UTC ticks, <see cref="NoValue"/> for none.</summary>
    internal static long ToTicks(DateTimeOffset? time) => time is { } value ? value.UtcTicks : NoValue;

    /// <summary>
    /// Sets a member kept in <see cref="_rare"/>: a value equal to the current one changes nothing (transitions pass most
    /// members on as they are), another copies the rare part, and a rare part back at its defaults is dropped, so that
    /// equal snapshots hold equal parts.
    /// </summary>
    private void SetRare<T>(T current, T value, Func<Rare, T, Rare> with)
    {
        if (EqualityComparer<T>.Default.Equals(current, value))
        {
            return;
        }

        var rare = with(_rare ?? Rare.Defaults, value);
        _rare = rare.Equals(Rare.Defaults) ? null : rare;
    }

    /// <summary>
    /// The members most snapshots leave at their defaults (messages, results, errors, cancellation, history): kept apart,
    /// so that a snapshot of a job that ran without them is about a third smaller. Never changed once made.
    /// </summary>
    private sealed record Rare
    {
        public static readonly Rare Defaults = new();

        public IReadOnlyList<JobMessage> Messages { get; init; } = [];

        public JobMessageCounts DroppedMessages { get; init; } = JobMessageCounts.None;

        public JsonText PartialResult { get; init; }

        public JsonText Result { get; init; }

        public JobError? Error { get; init; }

        public long CancelRequestedAt { get; init; } = NoValue;

        public JobCancelReason? CancelReason { get; init; }

        public string? CancelRequestedBy { get; init; }

        public bool IsCancellationOverdue { get; init; }

        public bool IsDeleteRequested { get; init; }

        public IReadOnlyList<JobAttempt> PreviousAttempts { get; init; } = [];
    }

    /// <summary>
    /// A JSON member's value as its UTF-8 text (an undefined element as no bytes; null for none), equal to another when the
    /// text is the same: a <see cref="JsonElement"/> alone compares its document by reference.
    /// </summary>
    private readonly struct JsonText(byte[]? utf8) : IEquatable<JsonText>
    {
        public byte[]? Utf8 { get; } = utf8;

        public static JsonText From(JsonElement? value) => new(value is { } json ? JobJson.ToUtf8(json) : null);

        public JsonElement? ToElement() => JobJson.FromUtf8(Utf8);

        public bool Equals(JsonText other) =>
            ReferenceEquals(Utf8, other.Utf8) || (Utf8 is not null && other.Utf8 is not null && Utf8.AsSpan().SequenceEqual(other.Utf8));

        public override bool Equals(object? obj) => obj is JsonText other && Equals(other);

        public override int GetHashCode()
        {
            if (Utf8 is null)
            {
                return 0;
            }

            var hash = default(HashCode);
            hash.AddBytes(Utf8);
            return hash.ToHashCode();
        }
    }
}
