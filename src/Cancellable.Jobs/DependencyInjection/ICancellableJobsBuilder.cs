namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures Cancellable.Jobs further: job types (<c>AddJob</c>) and stores.
/// </summary>
public interface ICancellableJobsBuilder
{
    /// <summary>Gets the service collection the library is registered in.</summary>
    IServiceCollection Services { get; }
}
