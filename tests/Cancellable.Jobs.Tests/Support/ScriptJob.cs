using System.Collections.Concurrent;

namespace Cancellable.Jobs.Tests.Support;

/// <summary>The input of <see cref="ScriptJob"/>: the key of the script to run.</summary>
public sealed record ScriptInput(string Key);

/// <summary>
/// The scripts tests give to <see cref="ScriptJob"/>: each test says in a lambda what its job does.
/// </summary>
public sealed class JobScripts
{
    private readonly ConcurrentDictionary<string, Func<JobContext, CancellationToken, Task>> _scripts = new(StringComparer.Ordinal);
    private int _next;

    public string Add(Func<JobContext, CancellationToken, Task> script)
    {
        var key = $"script-{Interlocked.Increment(ref _next)}";
        _scripts[key] = script;
        return key;
    }

    public Func<JobContext, CancellationToken, Task> Get(string key) => _scripts[key];
}

/// <summary>A job that runs the script its input names; registered by <see cref="JobsHost"/> as <c>script</c>.</summary>
public sealed class ScriptJob(JobScripts scripts) : IJob<ScriptInput>
{
    public Task ExecuteAsync(ScriptInput input, JobContext context, CancellationToken cancellationToken) =>
        scripts.Get(input.Key)(context, cancellationToken);
}
