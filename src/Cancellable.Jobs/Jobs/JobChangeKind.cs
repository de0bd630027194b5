namespace Cancellable.Jobs;

/// <summary>
/// The kind of a <see cref="JobChange"/>.
/// </summary>
public enum JobChangeKind
{
    /// <summary>The job was created.</summary>
    Created,

    /// <summary>The job's record was replaced: its status, progress, messages or results changed.</summary>
    Updated,

    /// <summary>The job was removed from the store.</summary>
    Removed,
}
