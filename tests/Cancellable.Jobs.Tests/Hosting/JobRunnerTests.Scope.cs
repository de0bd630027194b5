using System.Collections.Concurrent;
using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Tests.Hosting;

public sealed partial class JobRunnerTests
{
    public sealed class ProbeLog
    {
        public ConcurrentDictionary<Guid, bool> DisposedById { get; } = new();
    }

    public sealed class ScopedProbe(ProbeLog log) : IDisposable
    {
        public Guid Id { get; } = Guid.NewGuid();

        public bool IsDisposed => log.DisposedById.GetValueOrDefault(Id);

        public void Dispose() => log.DisposedById[Id] = true;
    }

    public sealed class ProbeJob(ScopedProbe probe, ProbeLog log) : IJob<ScriptInput, Guid>
    {
        public Task<Guid> ExecuteAsync(ScriptInput input, JobContext context, CancellationToken cancellationToken)
        {
            log.DisposedById.TryAdd(probe.Id, false);
            Assert.False(probe.IsDisposed);
            return Task.FromResult(probe.Id);
        }
    }

    [Fact]
    public async Task ExecuteAsync_ScopedDependency_OwnScopePerRunDisposedAfterRun()
    {
        await using var host = await JobsHost.StartAsync(
            jobs: jobs => jobs.AddJob<ProbeJob, ScriptInput, Guid>("probe"),
            services: services => services.AddSingleton<ProbeLog>().AddScoped<ScopedProbe>());
        var log = host.Services.GetRequiredService<ProbeLog>();

        var first = await host.Manager.StartAsync("probe", new ScriptInput("a"), cancellationToken: host.Timeout);
        var second = await host.Manager.StartAsync("probe", new ScriptInput("b"), cancellationToken: host.Timeout);
        var firstProbe = (await host.WaitForCompletionAsync(first.Id)).Result!.Value.GetGuid();
        var secondProbe = (await host.WaitForCompletionAsync(second.Id)).Result!.Value.GetGuid();

        Assert.NotEqual(firstProbe, secondProbe);
        Assert.True(log.DisposedById[firstProbe]);
        Assert.True(log.DisposedById[secondProbe]);
    }
}
