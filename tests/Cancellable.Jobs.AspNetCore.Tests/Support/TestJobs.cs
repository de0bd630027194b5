using System.ComponentModel.DataAnnotations;

namespace Cancellable.Jobs.AspNetCore.Tests.Support;

public sealed record CountInput(int Count);

/// <summary>Completes at once with its count as the result.</summary>
public sealed class CountJob : IJob<CountInput, int>
{
    public Task<int> ExecuteAsync(CountInput input, JobContext context, CancellationToken cancellationToken)
    {
        context.ReportProgress(input.Count, input.Count);
        return Task.FromResult(input.Count);
    }
}

public sealed record WaitInput(string? Note);

/// <summary>Reports a partial result and a message (with markup), then waits until it is cancelled.</summary>
public sealed class WaitJob : IJob<WaitInput>
{
    public const string MarkupMessage = "<b id=\"injected\">bold</b><img src=x onerror=\"window.injected=1\">";

    public async Task ExecuteAsync(WaitInput input, JobContext context, CancellationToken cancellationToken)
    {
        context.Info(MarkupMessage);
        context.Warning("careful");
        context.SetPartialResult(new[] { "a", "b" });
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

/// <summary>Waits for its token and reports nothing, so the store never changes while it runs.</summary>
public sealed class IdleJob : IJob<WaitInput>
{
    public Task ExecuteAsync(WaitInput input, JobContext context, CancellationToken cancellationToken) =>
        Task.Delay(Timeout.Infinite, cancellationToken);
}

/// <summary>Throws at once.</summary>
public sealed class FailJob : IJob<WaitInput>
{
    public Task ExecuteAsync(WaitInput input, JobContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("boom");
}

/// <summary>Reports a message, a partial result and an error that all carry markup and line breaks.</summary>
public sealed class HostileJob : IJob<WaitInput>
{
    public const string Markup = "<img src=x onerror=\"window.injected=1\">";

    public Task ExecuteAsync(WaitInput input, JobContext context, CancellationToken cancellationToken)
    {
        context.Info("line one\r\nline two " + Markup);
        context.SetPartialResult(new { html = Markup });
        throw new InvalidOperationException(Markup + "\r\nwarn: Forged[0] a forged line");
    }
}

/// <summary>The input of seed 001's removal workflow, with its validation rules.</summary>
public sealed record RemovalInput
{
    [Required]
    public string? GroupWaId { get; init; }

    [Range(1, 100)]
    public int BatchSize { get; init; }

    [Range(10_000, int.MaxValue)]
    public int DelayMs { get; init; }

    public bool DryRun { get; init; }

    public long InactivityWindowMs { get; init; }
}

/// <summary>Seed 001's removal workflow: one step per batch, each waiting for the test to open the gate.</summary>
public sealed class RemovalJob(JobGate gate) : IJob<RemovalInput, int>
{
    public async Task<int> ExecuteAsync(RemovalInput input, JobContext context, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        const int Batches = 4;
        for (var batch = 0; batch < Batches; batch++)
        {
            context.ReportProgress(batch, Batches, $"batch {batch + 1} of {Batches}");
            await gate.WaitAsync(cancellationToken);
            removed.Add($"user{batch}@lid");
            context.Info($"removed batch {batch + 1}");
            context.SetPartialResult(new { removedWhatsappIds = removed });
        }

        context.ReportProgress(Batches, Batches, "done");
        return removed.Count;
    }
}

/// <summary>Lets a test release a job's steps one at a time.</summary>
public sealed class JobGate
{
    private readonly SemaphoreSlim _semaphore = new(0);

    public void Open(int steps = 1) => _semaphore.Release(steps);

    public Task WaitAsync(CancellationToken cancellationToken) => _semaphore.WaitAsync(cancellationToken);
}

/// <summary>A pipeline with weighted sub-operations: "sync" finishes, "remove" gets halfway and waits for the gate.</summary>
public sealed class PipelineJob(JobGate gate) : IJob<WaitInput>
{
    public async Task ExecuteAsync(WaitInput input, JobContext context, CancellationToken cancellationToken)
    {
        var sync = context.Step("sync", weight: 1);
        var remove = context.Step("remove", weight: 3);
        sync.ReportProgress(1.0, "synced");
        remove.ReportProgress(1, 2, "batch 2 of 2");
        await gate.WaitAsync(cancellationToken);
        remove.ReportProgress(2, 2);
    }
}
