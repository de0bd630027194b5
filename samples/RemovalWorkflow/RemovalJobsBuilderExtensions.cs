using Cancellable.Jobs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RemovalWorkflow;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the removal jobs of seed 001 and the simulated WhatsApp group.
/// </summary>
public static class RemovalJobsBuilderExtensions
{
    /// <summary>
    /// Registers <c>removal_workflow</c> and <c>removal_queue</c>, the removal queue and the input validator. An
    /// <see cref="IWhatsAppGroupGateway"/> must be registered too, such as by <see cref="AddSimulatedWhatsAppGroup"/>.
    /// </summary>
    /// <param name="builder">The Cancellable.Jobs builder.</param>
    /// <returns>The builder.</returns>
    public static ICancellableJobsBuilder AddRemovalJobs(this ICancellableJobsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<RemovalQueue>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IJobInputValidator<RemovalQueueInput>, RemovalInputValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IJobInputValidator<RemovalWorkflowInput>, RemovalInputValidator>());
        return builder
            .AddJob<RemovalWorkflowJob, RemovalWorkflowInput, RemovalResult>(RemovalWorkflowJob.JobType)
            .AddJob<RemovalQueueJob, RemovalQueueInput, RemovalResult>(RemovalQueueJob.JobType);
    }

    /// <summary>
    /// Registers a <see cref="SimulatedWhatsAppGroup"/> as the <see cref="IWhatsAppGroupGateway"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">The group's shape, or <see langword="null"/> for the defaults.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddSimulatedWhatsAppGroup(this IServiceCollection services, SimulatedGroupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new SimulatedWhatsAppGroup(options ?? new SimulatedGroupOptions(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IWhatsAppGroupGateway>(sp => sp.GetRequiredService<SimulatedWhatsAppGroup>());
        return services;
    }
}
