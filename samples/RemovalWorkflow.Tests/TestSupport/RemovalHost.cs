using Cancellable.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RemovalWorkflow.Tests.TestSupport;

/// <summary>
/// A started host with the removal jobs, a simulated group (optionally behind a <see cref="GatedGateway"/>) and a
/// fake clock. Time only moves when a test advances it; <see cref="Timeout"/> only guards against hangs.
/// </summary>
internal sealed class RemovalHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    private RemovalHost(IHost host, WatchedTimeProvider time, SimulatedWhatsAppGroup group)
    {
        _host = host;
        Time = time;
        Group = group;
        Manager = host.Services.GetRequiredService<IJobManager>();
        Queue = host.Services.GetRequiredService<RemovalQueue>();
    }

    /// <summary>The grace period after which the runner flags a cancelling job overdue (the core's default).</summary>
    public static TimeSpan GracePeriod { get; } = TimeSpan.FromSeconds(30);

    public WatchedTimeProvider Time { get; }

    public SimulatedWhatsAppGroup Group { get; }

    public IJobManager Manager { get; }

    public RemovalQueue Queue { get; }

    public CancellationToken Timeout => _timeout.Token;

    public static async Task<RemovalHost> StartAsync(SimulatedGroupOptions? groupOptions = null, Func<IWhatsAppGroupGateway, IWhatsAppGroupGateway>? decorate = null)
    {
        var time = new WatchedTimeProvider();
        var group = new SimulatedWhatsAppGroup(groupOptions ?? new SimulatedGroupOptions(), time);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton(group);
        builder.Services.AddSingleton<IWhatsAppGroupGateway>(decorate?.Invoke(group) ?? group);
        builder.Services.AddCancellableJobs(o => o.CancellationGracePeriod = GracePeriod).AddRemovalJobs();
        var host = builder.Build();
        await host.StartAsync();
        return new RemovalHost(host, time, group);
    }

    /// <summary>The members the group's last-activity times make inactive for a 30-day window, in member order.</summary>
    public IReadOnlyList<string> InactiveIds() =>
        [.. Group.Members.Where(m => m.LastActiveAt < Time.GetUtcNow() - TimeSpan.FromDays(30)).Select(m => m.WaId)];

    /// <summary>Waits until the job's stored state satisfies <paramref name="condition"/>, and returns that state.</summary>
    public async Task<JobSnapshot> WaitForAsync(string jobId, Func<JobSnapshot, bool> condition)
    {
        await foreach (var change in Manager.WatchAsync(jobId, Timeout))
        {
            if (condition(change.Job))
            {
                return change.Job;
            }
        }

        throw new InvalidOperationException($"The job {jobId} was removed before the condition held.");
    }

    public async Task<JobSnapshot> WaitForEndAsync(string jobId) =>
        await Manager.WaitForCompletionAsync(jobId, Timeout) ?? throw new InvalidOperationException($"The job {jobId} is gone.");

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        _timeout.Dispose();
    }
}

internal static class JobResults
{
    public static RemovalResult Read(System.Text.Json.JsonElement? json) =>
        System.Text.Json.JsonSerializer.Deserialize<RemovalResult>(json ?? throw new InvalidOperationException("No result was stored."), System.Text.Json.JsonSerializerOptions.Web)!;
}
