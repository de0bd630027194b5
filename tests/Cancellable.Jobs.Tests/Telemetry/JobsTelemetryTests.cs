using System.Diagnostics.Metrics;
using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Cancellable.Jobs.Tests.Telemetry;

public sealed class JobsTelemetryTests
{
    private const string Meter = "Cancellable.Jobs";

    [Fact]
    public async Task Counters_JobsEndingEachWay_CountedPerOutcomeWithTypeTagOnly()
    {
        await using var host = await JobsHost.StartAsync(services: services => services.AddMetrics());
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        using var started = new MetricCollector<long>(factory, Meter, "cancellable_jobs.jobs.started");
        using var completed = new MetricCollector<long>(factory, Meter, "cancellable_jobs.jobs.completed");
        using var failed = new MetricCollector<long>(factory, Meter, "cancellable_jobs.jobs.failed");
        using var cancelled = new MetricCollector<long>(factory, Meter, "cancellable_jobs.jobs.cancelled");
        var ids = new List<string>();

        ids.Add((await host.StartScriptAsync((_, _) => Task.CompletedTask)).Id);
        ids.Add((await host.StartScriptAsync((_, _) => throw new InvalidOperationException("x"))).Id);
        var entered = JobsHost.NewSignal();
        var running = await host.StartWaitingJobAsync(entered);
        ids.Add(running.Id);
        await entered.Task.WaitAsync(host.Timeout);
        await host.Manager.CancelAsync(running.Id, cancellationToken: host.Timeout);

        await started.WaitForMeasurementsAsync(3, host.Timeout);
        await completed.WaitForMeasurementsAsync(1, host.Timeout);
        await failed.WaitForMeasurementsAsync(1, host.Timeout);
        await cancelled.WaitForMeasurementsAsync(1, host.Timeout);

        Assert.Equal(3, started.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, completed.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, failed.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, cancelled.GetMeasurementSnapshot().EvaluateAsCounter());
        foreach (var measurement in new[] { started, completed, failed, cancelled }.SelectMany(c => c.GetMeasurementSnapshot()))
        {
            var tag = Assert.Single(measurement.Tags);
            Assert.Equal(("cancellable_jobs.job.type", (object?)JobsHost.ScriptType), (tag.Key, tag.Value));
            Assert.DoesNotContain(measurement.Tags.Values, v => ids.Contains(v as string ?? string.Empty));
        }
    }

    [Fact]
    public async Task Counters_PendingJobCancelled_CountedAsCancelledWithoutStart()
    {
        await using var host = JobsHost.Build(services: services => services.AddMetrics());
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        using var started = new MetricCollector<long>(factory, Meter, "cancellable_jobs.jobs.started");
        using var cancelled = new MetricCollector<long>(factory, Meter, "cancellable_jobs.jobs.cancelled");
        var job = await host.StartWaitingJobAsync();

        await host.Manager.CancelAsync(job.Id, cancellationToken: host.Timeout);

        Assert.Equal(1, cancelled.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Empty(started.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Counters_OtherProvidersMeter_NotCounted()
    {
        await using var host = await JobsHost.StartAsync(services: services => services.AddMetrics());
        await using var other = await JobsHost.StartAsync(services: services => services.AddMetrics());
        using var completed = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), Meter, "cancellable_jobs.jobs.completed");
        using var otherCompleted = new MetricCollector<long>(other.Services.GetRequiredService<IMeterFactory>(), Meter, "cancellable_jobs.jobs.completed");

        await other.WaitForCompletionAsync((await other.StartScriptAsync((_, _) => Task.CompletedTask)).Id);
        await otherCompleted.WaitForMeasurementsAsync(1, other.Timeout);

        Assert.Empty(completed.GetMeasurementSnapshot());
    }
}
