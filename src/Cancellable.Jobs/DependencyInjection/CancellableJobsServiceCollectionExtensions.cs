using System.Diagnostics.Metrics;
using Cancellable.Jobs;
using Cancellable.Jobs.Hosting;
using Cancellable.Jobs.Storage;
using Cancellable.Jobs.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Cancellable.Jobs in an <see cref="IServiceCollection"/>.
/// </summary>
public static class CancellableJobsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the job manager, the in-memory store, the runner and the sweeper with default options.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to register job types with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static ICancellableJobsBuilder AddCancellableJobs(this IServiceCollection services) =>
        services.AddCancellableJobs(static _ => { });

    /// <summary>
    /// Registers the job manager, the in-memory store, the runner and the sweeper. Calling it again only adds to the
    /// options.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; they are validated when the host starts.</param>
    /// <returns>A builder to register job types with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static ICancellableJobsBuilder AddCancellableJobs(this IServiceCollection services, Action<CancellableJobsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<CancellableJobsOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CancellableJobsOptions>, CancellableJobsOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobTypeOptions>, JobTypeOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IJobStore, InMemoryJobStore>();
        services.TryAddSingleton(sp => new JobTypeRegistry(sp.GetServices<JobTypeDescriptor>()));
        services.TryAddSingleton(sp => new JobsTelemetry(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<JobSweeper>();
        services.TryAddSingleton<JobRunner>();
        services.TryAddSingleton<JobManager>();
        services.TryAddSingleton<IJobManager>(sp => sp.GetRequiredService<JobManager>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, JobRunner>(sp => sp.GetRequiredService<JobRunner>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, JobSweeper>(sp => sp.GetRequiredService<JobSweeper>()));
        return new CancellableJobsBuilder(services);
    }

    private sealed class CancellableJobsBuilder(IServiceCollection services) : ICancellableJobsBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
