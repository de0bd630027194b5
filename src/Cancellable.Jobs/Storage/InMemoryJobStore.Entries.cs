namespace Cancellable.Jobs.Storage;

/// <summary>
/// The stored entries: an active job's <see cref="JobSnapshot"/> as it was written, a finished job as a
/// <see cref="FinishedJob"/>.
/// </summary>
/// <remarks>
/// The manager reads and swaps an active job's snapshot on every transition, so it stays as it is; a finished job is read
/// now and then and the store may keep hundreds of thousands, so it is kept compact and materialized on read.
/// </remarks>
public sealed partial class InMemoryJobStore
{
    private static JobSnapshot ToSnapshot(object entry) => entry is FinishedJob finished ? finished.ToSnapshot() : (JobSnapshot)entry;

    private static long VersionOf(object entry) => entry is FinishedJob finished ? finished.Version : ((JobSnapshot)entry).Version;

    private static long SequenceOf(object entry) => entry is FinishedJob finished ? finished.Sequence : ((JobSnapshot)entry).Sequence;

    /// <summary>Keeps an active job's snapshot as it is, and a finished job in its compact form.</summary>
    /// <remarks>The compact form points at the indexes' type and owner strings, which exist once the job is indexed.</remarks>
    private object ToEntry(JobSnapshot job) => job.Status.IsTerminal()
        ? new FinishedJob(job, _byType[job.Type].Name, job.Owner is null ? null : _byOwner[job.Owner].Name)
        : job;

    /// <summary>Like <see cref="ToEntry"/>, without the lock: a finished job's form points at the job's own strings.</summary>
    private static object ToEntryUninterned(JobSnapshot job) => job.Status.IsTerminal() ? new FinishedJob(job, job.Type, job.Owner) : job;

    /// <summary>Tells whether the job's type and owner are the very strings the indexes hold (the lock is held).</summary>
    private bool SharesIndexStrings(JobSnapshot job) =>
        ReferenceEquals(job.Type, _byType[job.Type].Name) && (job.Owner is null || ReferenceEquals(job.Owner, _byOwner[job.Owner].Name));

    /// <summary>A replacement's stored entry and published change, made before the lock is taken.</summary>
    private readonly record struct Prepared(object Entry, JobChange Change);

    private ref SequencedEntry EntryRefAt(long sequence) => ref _all.GetValueRefOrNullRef(new SequencedEntry(sequence, null));

    private object EntryAt(long sequence) => EntryRefAt(sequence).Entry!;
}
