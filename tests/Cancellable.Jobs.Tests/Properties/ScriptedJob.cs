using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Cancellable.Jobs.Tests.Properties;

/// <summary>The input of <see cref="ScriptedJob"/>; the job's behaviour comes from its script, not its input.</summary>
public sealed record ScriptInput(string Label);

/// <summary>What a test tells a <see cref="ScriptedJob"/> to do next.</summary>
internal enum ScriptStepKind
{
    Report,
    Message,
    Complete,
    Fail,
    FailWithForeignCancellation,
    HonourCancellation,

    /// <summary>Returns, unless the token already fired: then throws its cancellation.</summary>
    CompleteUnlessCancelled,

    /// <summary>Waits for the token and stops inside the token's callback, before the canceller returns.</summary>
    StopInsideTokenCallback,

    /// <summary>Reports progress and messages in a tight loop until the token fires, then honours it.</summary>
    SpinUntilCancelled,
}

internal sealed record ScriptStep(ScriptStepKind Kind, double Fraction = 0, int Partial = 0, JobMessageLevel Level = JobMessageLevel.Info, IReadOnlyList<string>? Texts = null);

/// <summary>
/// A job whose code does exactly what the test says, one step at a time, so that a test decides when it reports,
/// returns, throws or honours its token.
/// </summary>
internal sealed class ScriptedJob(JobScriptController controller) : IJob<ScriptInput>
{
    public async Task ExecuteAsync(ScriptInput input, JobContext context, CancellationToken cancellationToken)
    {
        var script = controller.Attach(context.JobId, context.Attempt, cancellationToken);
        try
        {
            while (true)
            {
                var (step, done) = await script.NextAsync(controller.AbortToken);
                switch (step.Kind)
                {
                    case ScriptStepKind.Report:
                        context.ReportProgress(step.Fraction);
                        context.SetPartialResult(step.Partial);
                        done.TrySetResult();
                        break;
                    case ScriptStepKind.Message:
                        foreach (var text in step.Texts ?? [])
                        {
                            switch (step.Level)
                            {
                                case JobMessageLevel.Info:
                                    context.Info(text);
                                    break;
                                case JobMessageLevel.Warning:
                                    context.Warning(text);
                                    break;
                                default:
                                    context.Error(text);
                                    break;
                            }
                        }

                        done.TrySetResult();
                        break;
                    case ScriptStepKind.Complete:
                        done.TrySetResult();
                        return;
                    case ScriptStepKind.Fail:
                        done.TrySetResult();
                        throw new InvalidOperationException("scripted failure");
                    case ScriptStepKind.FailWithForeignCancellation:
                        done.TrySetResult();
                        throw new OperationCanceledException("scripted foreign cancellation");
                    case ScriptStepKind.HonourCancellation:
                        done.TrySetResult();
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                        break;
                    case ScriptStepKind.CompleteUnlessCancelled:
                        done.TrySetResult();
                        cancellationToken.ThrowIfCancellationRequested();
                        return;
                    case ScriptStepKind.StopInsideTokenCallback:
                        // No RunContinuationsAsynchronously: the rest of this job runs inside CancellationTokenSource.Cancel().
                        var stopped = new TaskCompletionSource();
                        using (cancellationToken.Register(() => stopped.TrySetResult()))
                        {
                            done.TrySetResult();
                            await stopped.Task;
                        }

                        cancellationToken.ThrowIfCancellationRequested();
                        return;
                    case ScriptStepKind.SpinUntilCancelled:
                        done.TrySetResult();
                        for (var i = 0; ; i++)
                        {
                            context.ReportProgress(i % 101 / 100.0);
                            context.ReportProgress(i % 7, 6);
                            context.Info($"spin {i}");
                            context.SetPartialResult(i);
                            cancellationToken.ThrowIfCancellationRequested();
                            if (i % 64 == 0)
                            {
                                await Task.Yield();
                            }
                        }

                }
            }
        }
        finally
        {
            script.MarkExited();
        }
    }
}

/// <summary>The script of one attempt of one job: the steps the test sends, and what the job's code has done.</summary>
internal sealed class JobScript : IDisposable
{
    private readonly Channel<(ScriptStep Step, TaskCompletionSource Done)> _steps = Channel.CreateUnbounded<(ScriptStep, TaskCompletionSource)>();
    private readonly Action _changed;
    private readonly CancellationTokenRegistration _registration;
    private int _tokenFired;
    private int _exited;

    public JobScript(string jobId, int attempt, CancellationToken token, Action changed)
    {
        JobId = jobId;
        Attempt = attempt;
        _changed = changed;
        _registration = token.Register(() =>
        {
            Volatile.Write(ref _tokenFired, 1);
            _changed();
        });
    }

    public string JobId { get; }

    public int Attempt { get; }

    public bool TokenFired => Volatile.Read(ref _tokenFired) != 0;

    public bool Exited => Volatile.Read(ref _exited) != 0;

    /// <summary>Sends a step; the task completes once the job's code has carried it out (or is about to return, throw or wait).</summary>
    public Task SendAsync(ScriptStep step)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _steps.Writer.TryWrite((step, done));
        return done.Task;
    }

    public ValueTask<(ScriptStep Step, TaskCompletionSource Done)> NextAsync(CancellationToken abort) => _steps.Reader.ReadAsync(abort);

    public void MarkExited()
    {
        Volatile.Write(ref _exited, 1);
        _registration.Dispose();
        _changed();
    }

    public void Dispose() => _registration.Dispose();
}

/// <summary>Holds the scripts of all attempts, keyed by job id and attempt; one per test system.</summary>
internal sealed class JobScriptController : IDisposable
{
    private readonly ConcurrentDictionary<(string JobId, int Attempt), JobScript> _scripts = new();
    private readonly CancellationTokenSource _abort = new();

    /// <summary>Gets or sets what to do with each attempt as soon as its code starts, such as sending it its steps.</summary>
    public Action<JobScript>? OnAttach { get; set; }

    /// <summary>Raised whenever a job's code attaches, sees its token fire or exits.</summary>
    public event Action? Changed;

    public CancellationToken AbortToken => _abort.Token;

    public int AttachedCount => _scripts.Count;

    public JobScript Attach(string jobId, int attempt, CancellationToken token)
    {
        var script = new JobScript(jobId, attempt, token, () => Changed?.Invoke());
        if (!_scripts.TryAdd((jobId, attempt), script))
        {
            throw new InvalidOperationException($"Attempt {attempt} of job {jobId} ran twice.");
        }

        OnAttach?.Invoke(script);
        Changed?.Invoke();
        return script;
    }

    public IReadOnlyList<JobScript> All => [.. _scripts.Values];

    public JobScript? Find(string jobId, int attempt) => _scripts.TryGetValue((jobId, attempt), out var script) ? script : null;

    /// <summary>Ends every job's code: its next step throws an exception that is not its token's.</summary>
    public void Abort() => _abort.Cancel();

    public void Dispose()
    {
        _abort.Cancel();
        _abort.Dispose();
        foreach (var script in _scripts.Values)
        {
            script.Dispose();
        }
    }
}
