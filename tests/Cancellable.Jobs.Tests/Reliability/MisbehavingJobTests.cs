using System.Text.Json;
using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Tests.Reliability;

/// <summary>
/// Jobs that break the rules end in the state the lifecycle gives them, and the runner, limited to one job at a time
/// here so a slot that is not given back would show, goes on to serve the next job.
/// </summary>
public sealed class MisbehavingJobTests
{
    /// <summary>A job whose <c>ExecuteAsync</c> returns a null <see cref="Task"/> instead of a task.</summary>
    public sealed class NullTaskJob : IJob<ScriptInput>
    {
        public Task ExecuteAsync(ScriptInput input, JobContext context, CancellationToken cancellationToken) => null!;
    }

    /// <summary>A job with a result whose <c>ExecuteAsync</c> returns a null <see cref="Task{TResult}"/>.</summary>
    public sealed class NullResultTaskJob : IJob<ScriptInput, string>
    {
        public Task<string> ExecuteAsync(ScriptInput input, JobContext context, CancellationToken cancellationToken) => null!;
    }

    /// <summary>A job with a result that completes with a null result.</summary>
    public sealed class NullResultJob : IJob<ScriptInput, string?>
    {
        public Task<string?> ExecuteAsync(ScriptInput input, JobContext context, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }

    /// <summary>A scoped dependency that counts how often it is disposed.</summary>
    public sealed class DisposalCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Increment() => Interlocked.Increment(ref _count);
    }

    public sealed class ScopedResource(DisposalCounter counter) : IDisposable
    {
        public void Dispose() => counter.Increment();
    }

    /// <summary>Disposes its own DI scope; its input says whether it then resolves a service from the dead scope.</summary>
    public sealed class ScopeDisposingJob(IServiceProvider services, ScopedResource resource) : IJob<ScriptInput>
    {
        public async Task ExecuteAsync(ScriptInput input, JobContext context, CancellationToken cancellationToken)
        {
            GC.KeepAlive(resource);
            await ((IAsyncDisposable)services).DisposeAsync();
            if (input.Key == "use-after-dispose")
            {
                services.GetRequiredService<ScopedResource>();
            }
        }
    }

    /// <summary>A partial result whose serialization runs the job's own code, which throws.</summary>
    public sealed class Exploding
    {
        public int Value => throw new InvalidOperationException("getter exploded");
    }

    private static Task<JobsHost> StartHostAsync(Action<CancellableJobsOptions>? options = null, Action<ICancellableJobsBuilder>? jobs = null, Action<IServiceCollection>? services = null) =>
        JobsHost.StartAsync(
            o =>
            {
                o.MaxConcurrentJobs = 1;
                options?.Invoke(o);
            },
            jobs,
            services);

    /// <summary>Proves the runner still serves: a well-behaved job starts and completes after the misbehaving one.</summary>
    private static async Task AssertRunnerServesNextAsync(JobsHost host)
    {
        var next = await host.StartScriptAsync((context, _) =>
        {
            context.ReportProgress(1.0);
            return Task.CompletedTask;
        });
        Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(next.Id)).Status);
    }

    [Fact]
    public async Task ExecuteAsync_ThrowsBeforeFirstAwait_FailedAndRunnerServesNext()
    {
        await using var host = await StartHostAsync();
        var job = await host.StartScriptAsync((_, _) => throw new FormatException("thrown synchronously"));

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal((typeof(FormatException).FullName, "thrown synchronously"), (done.Error!.Type, done.Error.Message));
        await AssertRunnerServesNextAsync(host);
    }

    [Fact]
    public async Task ExecuteAsync_ReturnsNullTask_FailedWithErrorNamingTheJobClass()
    {
        await using var host = await StartHostAsync(jobs: jobs => jobs.AddJob<NullTaskJob, ScriptInput>("null_task"));
        var job = await host.Manager.StartAsync("null_task", new ScriptInput("x"), cancellationToken: host.Timeout);

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(typeof(InvalidOperationException).FullName, done.Error!.Type);
        Assert.Contains("NullTaskJob.ExecuteAsync returned null instead of a Task", done.Error.Message, StringComparison.Ordinal);
        await AssertRunnerServesNextAsync(host);
    }

    [Fact]
    public async Task ExecuteAsync_ResultJobReturnsNullTask_FailedWithErrorNamingTheJobClass()
    {
        await using var host = await StartHostAsync(jobs: jobs => jobs.AddJob<NullResultTaskJob, ScriptInput, string>("null_result_task"));
        var job = await host.Manager.StartAsync("null_result_task", new ScriptInput("x"), cancellationToken: host.Timeout);

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Contains("NullResultTaskJob.ExecuteAsync returned null instead of a Task", done.Error!.Message, StringComparison.Ordinal);
        await AssertRunnerServesNextAsync(host);
    }

    [Fact]
    public async Task ExecuteAsync_ResultJobReturnsNullResult_CompletedWithJsonNullResult()
    {
        await using var host = await StartHostAsync(jobs: jobs => jobs.AddJob<NullResultJob, ScriptInput, string?>("null_result"));
        var job = await host.Manager.StartAsync("null_result", new ScriptInput("x"), cancellationToken: host.Timeout);

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(JsonValueKind.Null, done.Result!.Value.ValueKind);
        Assert.Null(done.Error);
        await AssertRunnerServesNextAsync(host);
    }

    [Fact]
    public async Task ExecuteAsync_IgnoresItsToken_StaysCancellingFlaggedOverdueThenCompletesWhileOthersRun()
    {
        await using var host = await StartHostAsync(o =>
        {
            o.MaxConcurrentJobs = 2;
            o.CancellationGracePeriod = TimeSpan.FromSeconds(30);
        });
        var entered = JobsHost.NewSignal();
        var finish = JobsHost.NewSignal();
        var stubborn = await host.StartScriptAsync(async (_, _) =>
        {
            entered.SetResult();
            await finish.Task; // never looks at its token
        });
        await entered.Task.WaitAsync(host.Timeout);
        var timers = host.Time.TimerCount;

        await host.Manager.CancelAsync(stubborn.Id, cancellationToken: host.Timeout);
        await host.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30), timers, host.Timeout);
        host.Time.Advance(TimeSpan.FromSeconds(30));
        var overdue = await host.WaitForAsync(stubborn.Id, j => j.IsCancellationOverdue);

        Assert.Equal(JobStatus.Cancelling, overdue.Status);
        await AssertRunnerServesNextAsync(host);

        finish.SetResult();
        var done = await host.WaitForCompletionAsync(stubborn.Id);
        Assert.Equal(JobStatus.Completed, done.Status); // it finished anyway: nothing pretends it stopped
        Assert.Equal(JobCancelReason.Requested, done.CancelReason);
    }

    [Fact]
    public async Task ExecuteAsync_BlocksItsThreadBeforeFirstAwait_RunnerStartsAndFinishesOtherJobs()
    {
        await using var host = await StartHostAsync(o => o.MaxConcurrentJobs = 2);
        using var unblock = new ManualResetEventSlim();
        var blocking = JobsHost.NewSignal();
        var blocker = await host.StartScriptAsync((_, _) =>
        {
            blocking.SetResult();
            unblock.Wait(); // a synchronous wait on a pool thread, before any await
            return Task.CompletedTask;
        });
        await blocking.Task.WaitAsync(host.Timeout);

        for (var i = 0; i < 5; i++)
        {
            await AssertRunnerServesNextAsync(host);
        }

        Assert.Equal(JobStatus.Running, (await host.Manager.GetAsync(blocker.Id, host.Timeout))!.Status);
        unblock.Set();
        Assert.Equal(JobStatus.Completed, (await host.WaitForCompletionAsync(blocker.Id)).Status);
    }

    [Fact]
    public async Task ExecuteAsync_PartialResultSerializationThrows_CallerSeesErrorAndEarlierPartialResultKept()
    {
        await using var host = await StartHostAsync();
        var caught = await host.StartScriptAsync((context, _) =>
        {
            context.SetPartialResult(new[] { 1, 2 });
            Assert.Throws<InvalidOperationException>(() => context.SetPartialResult(new Exploding()));
            return Task.CompletedTask;
        });
        var uncaught = await host.StartScriptAsync((context, _) =>
        {
            context.SetPartialResult(new[] { 3 });
            context.SetPartialResult(new Exploding());
            return Task.CompletedTask;
        });

        var caughtDone = await host.WaitForCompletionAsync(caught.Id);
        var uncaughtDone = await host.WaitForCompletionAsync(uncaught.Id);

        Assert.Equal(JobStatus.Completed, caughtDone.Status);
        Assert.Equal("[1,2]", caughtDone.PartialResult!.Value.GetRawText());
        Assert.Equal(JobStatus.Failed, uncaughtDone.Status);
        Assert.Equal("getter exploded", uncaughtDone.Error!.Message);
        Assert.Equal("[3]", uncaughtDone.PartialResult!.Value.GetRawText());
        await AssertRunnerServesNextAsync(host);
    }

    [Fact]
    public async Task ExecuteAsync_StoreSubscriberThrowsOnEveryProgressFlush_JobsStillRunEndAndAreWatched()
    {
        // Regression: a throwing subscriber of the store's change feed failed the store write that published the change,
        // after the store held it: a claimed job was never run and stayed Running, and later subscribers missed changes.
        await using var host = await StartHostAsync();
        var calls = 0;
        using var subscription = host.Store.Subscribe(_ =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("subscriber bug");
        });
        var reported = JobsHost.NewSignal();
        var finish = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (context, _) =>
        {
            context.ReportProgress(0.5, "halfway");
            reported.SetResult();
            await finish.Task;
        });
        await reported.Task.WaitAsync(host.Timeout);
        var watch = await host.OpenWatchAsync(job.Id);

        host.Time.Advance(TimeSpan.FromMilliseconds(250));
        var halfway = await host.WaitForAsync(job.Id, j => j.Progress.Fraction == 0.5);
        finish.SetResult();
        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal("halfway", halfway.Progress.CurrentStep);
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.True(Volatile.Read(ref calls) >= 4, $"The subscriber was called {calls} times."); // created, claimed, flushed, ended
        await watch.DisposeAsync();
        await AssertRunnerServesNextAsync(host);
    }

    [Fact]
    public async Task ExecuteAsync_ThrowsCancellationOfATokenNotItsOwn_FailedNotCancelled()
    {
        await using var host = await StartHostAsync();
        using var foreign = new CancellationTokenSource();
        await foreign.CancelAsync();
        var job = await host.StartScriptAsync((_, _) => throw new OperationCanceledException("a foreign token", foreign.Token));

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal((typeof(OperationCanceledException).FullName, "a foreign token"), (done.Error!.Type, done.Error.Message));
        Assert.Null(done.CancelReason);
        await AssertRunnerServesNextAsync(host);
    }

    [Fact]
    public async Task ExecuteAsync_ThrowsCancellationOfALinkedTokenAfterItsOwnFired_Cancelled()
    {
        await using var host = await StartHostAsync();
        var entered = JobsHost.NewSignal();
        var job = await host.StartScriptAsync(async (_, ct) =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, linked.Token);
        });
        await entered.Task.WaitAsync(host.Timeout);

        await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout);
        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(JobStatus.Cancelled, done.Status);
        Assert.Null(done.Error);
        await AssertRunnerServesNextAsync(host);
    }

    [Theory]
    [InlineData("return", JobStatus.Completed)]
    [InlineData("use-after-dispose", JobStatus.Failed)]
    public async Task ExecuteAsync_DisposesItsOwnScope_EndsAsItsCodeDoesAndScopedServicesDisposedOnce(string mode, JobStatus expected)
    {
        await using var host = await StartHostAsync(
            jobs: jobs => jobs.AddJob<ScopeDisposingJob, ScriptInput>("scope_disposer"),
            services: services => services.AddSingleton<DisposalCounter>().AddScoped<ScopedResource>());
        var counter = host.Services.GetRequiredService<DisposalCounter>();
        var job = await host.Manager.StartAsync("scope_disposer", new ScriptInput(mode), cancellationToken: host.Timeout);

        var done = await host.WaitForCompletionAsync(job.Id);

        Assert.Equal(expected, done.Status);
        if (expected == JobStatus.Failed)
        {
            Assert.Equal(typeof(ObjectDisposedException).FullName, done.Error!.Type);
        }

        Assert.Equal(1, counter.Count);
        await AssertRunnerServesNextAsync(host);
    }
}
