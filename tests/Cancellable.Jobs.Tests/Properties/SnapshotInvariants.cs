namespace Cancellable.Jobs.Tests.Properties;

/// <summary>What must hold of every snapshot a store publishes or returns, whatever happened before.</summary>
internal static class SnapshotInvariants
{
    public static IEnumerable<string> Check(JobSnapshot job, int maxMessagesPerLevel)
    {
        if (job.StartedAt is { } started && started < job.CreatedAt)
        {
            yield return $"started {started:O} before created {job.CreatedAt:O}";
        }

        if (job.CompletedAt is { } completed)
        {
            if (completed < (job.StartedAt ?? job.CreatedAt))
            {
                yield return $"completed {completed:O} before started/created";
            }

            if (job.CancelRequestedAt is { } asked && asked > completed)
            {
                yield return $"cancel requested {asked:O} after completion {completed:O}";
            }
        }

        if (job.Status.IsTerminal() != job.CompletedAt.HasValue)
        {
            yield return $"status {job.Status} with CompletedAt {job.CompletedAt?.ToString("O") ?? "null"}";
        }

        if (job.Status.IsTerminal() != job.ExpiresAt.HasValue)
        {
            yield return $"status {job.Status} with ExpiresAt {job.ExpiresAt?.ToString("O") ?? "null"}";
        }

        if (job.ExpiresAt is { } expires && job.CompletedAt is { } done && expires < done)
        {
            yield return "expires before it completed";
        }

        if (job.Status is JobStatus.Running or JobStatus.Cancelling && (job.StartedAt is null || job.RunId is null))
        {
            yield return $"{job.Status} without StartedAt/RunId";
        }

        if (job.Status is JobStatus.Cancelling or JobStatus.Cancelled && (job.CancelRequestedAt is null || job.CancelReason is null))
        {
            yield return $"{job.Status} without CancelRequestedAt/CancelReason";
        }

        if (job.Status == JobStatus.Pending && (job.StartedAt is not null || job.CancelRequestedAt is not null || job.Error is not null))
        {
            yield return "pending with leftovers of an earlier attempt";
        }

        if (job.Status == JobStatus.Failed && job.Error is null)
        {
            yield return "failed without error";
        }

        if (job.IsCancellationOverdue && job.CancelRequestedAt is null)
        {
            yield return "overdue without a cancellation";
        }

        if (!(job.Progress.Fraction is >= 0 and <= 1))
        {
            yield return $"progress fraction {job.Progress.Fraction}";
        }

        if (job.PreviousAttempts.Count != job.Attempt - 1)
        {
            yield return $"attempt {job.Attempt} with {job.PreviousAttempts.Count} previous attempts";
        }

        for (var i = 0; i < job.PreviousAttempts.Count; i++)
        {
            var attempt = job.PreviousAttempts[i];
            if (attempt.Number != i + 1 || attempt.Status is not (JobStatus.Failed or JobStatus.Cancelled))
            {
                yield return $"previous attempt {i + 1} recorded as #{attempt.Number} {attempt.Status}";
            }
        }

        foreach (var level in new[] { JobMessageLevel.Info, JobMessageLevel.Warning, JobMessageLevel.Error })
        {
            var count = job.Messages.Count(m => m.Level == level);
            if (count > maxMessagesPerLevel)
            {
                yield return $"{count} {level} messages over the cap {maxMessagesPerLevel}";
            }

            var dropped = level switch
            {
                JobMessageLevel.Info => job.DroppedMessages.Info,
                JobMessageLevel.Warning => job.DroppedMessages.Warning,
                _ => job.DroppedMessages.Error,
            };
            if (dropped < 0 || (dropped > 0 && count != maxMessagesPerLevel))
            {
                yield return $"{dropped} {level} messages dropped while {count} kept (cap {maxMessagesPerLevel})";
            }
        }

        for (var i = 1; i < job.Messages.Count; i++)
        {
            if (job.Messages[i].Timestamp < job.Messages[i - 1].Timestamp)
            {
                yield return "messages out of order";
            }
        }
    }
}
