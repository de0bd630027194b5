using Cancellable.Jobs;

namespace RemovalWorkflow;

/// <summary>
/// The removal phase both job types share: remove the queued members in batches with a delay between batches.
/// </summary>
/// <remarks>
/// Cancellation is observed at the start of each batch (as in seed 001) and during the delay between batches, so a
/// cancel takes effect at once; a batch that started always finishes, because its removals ignore the token.
/// </remarks>
internal sealed class RemovalBatches(IWhatsAppGroupGateway gateway, RemovalQueue queue, TimeProvider timeProvider)
{
    public async Task<RemovalResult> RunAsync(RemovalQueueInput input, JobContext context, JobStep? step, CancellationToken cancellationToken)
    {
        var group = input.GroupWaId;
        var batches = queue.List(group).Chunk(input.BatchSize).ToArray();
        var total = batches.Sum(b => b.Length);
        var removed = new List<string>();
        var wouldRemove = new List<string>();
        var processed = 0;
        var batchesDone = 0;
        RemovalResult Snapshot() => new(input.DryRun, [.. removed], [.. wouldRemove], batchesDone, batches.Length);

        void Report(string text)
        {
            context.ReportProgress(processed, total, text);
            step?.ReportProgress(processed, total, text);
        }

        Report(batches.Length == 0 ? "the removal queue is empty" : $"batch 1 of {batches.Length}");
        context.Info(batches.Length == 0
            ? "Nobody to remove: the removal queue is empty."
            : $"{total} members to remove in {batches.Length} batches of up to {input.BatchSize}, {input.DelayMs} ms apart{(input.DryRun ? " (dry run: nobody is removed)" : string.Empty)}.");
        context.SetPartialResult(Snapshot());

        for (var n = 1; n <= batches.Length; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = $"batch {n} of {batches.Length}";
            Report(text);
            var removedBefore = removed.Count;
            try
            {
                foreach (var member in batches[n - 1])
                {
                    if (input.DryRun)
                    {
                        wouldRemove.Add(member);
                    }
                    else
                    {
                        // CancellationToken.None on purpose: a batch never stops halfway.
                        if (await gateway.RemoveMemberAsync(group, member, CancellationToken.None).ConfigureAwait(false))
                        {
                            removed.Add(member);
                        }
                        else
                        {
                            context.Warning($"{member} had already left the group.");
                        }

                        queue.Dequeue(group, member);
                    }

                    processed++;
                }

                batchesDone++;
            }
            finally
            {
                context.SetPartialResult(Snapshot());
                Report(text);
            }

            var batch = batches[n - 1];
            context.Info(input.DryRun
                ? $"Batch {n} of {batches.Length}: would remove {string.Join(", ", batch)} (dry run)."
                : $"Batch {n} of {batches.Length}: removed {removed.Count - removedBefore} of {batch.Length} ({string.Join(", ", batch)}).");

            if (n < batches.Length)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(input.DelayMs), timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        return Snapshot();
    }
}
