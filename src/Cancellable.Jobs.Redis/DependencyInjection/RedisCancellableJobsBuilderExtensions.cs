using Cancellable.Jobs.Redis.DependencyInjection;
using Cancellable.Jobs.Redis.Hosting;
using Cancellable.Jobs.Redis.Storage;
using Cancellable.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Switches Cancellable.Jobs to the Redis store.
/// </summary>
/// <remarks>
/// A class of its own rather than a part of <c>CancellableJobsBuilderExtensions</c>: a partial class cannot span two
/// assemblies, and a second class of the same name would make that name ambiguous in apps that reference both.
/// </remarks>
public static class RedisCancellableJobsBuilderExtensions
{
    /// <summary>
    /// Stores jobs in Redis, opening a connection from <paramref name="connectionString"/> on first use; it replaces the
    /// registered <see cref="IJobStore"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">A StackExchange.Redis configuration string, such as <c>localhost:6379</c>.</param>
    /// <param name="configure">Configures the store's options; they are validated when the host starts.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="connectionString"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public static ICancellableJobsBuilder UseRedis(this ICancellableJobsBuilder builder, string connectionString, Action<RedisJobStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return builder.UseRedis(_ => new RedisConnectionSource(connectionString), configure);
    }

    /// <summary>
    /// Stores jobs in Redis through the app's <paramref name="connection"/>, which the library never disposes; it
    /// replaces the registered <see cref="IJobStore"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connection">The app's connection to Redis.</param>
    /// <param name="configure">Configures the store's options; they are validated when the host starts.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="connection"/> is <see langword="null"/>.</exception>
    public static ICancellableJobsBuilder UseRedis(this ICancellableJobsBuilder builder, IConnectionMultiplexer connection, Action<RedisJobStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connection);
        return builder.UseRedis(_ => new RedisConnectionSource(connection), configure);
    }

    private static ICancellableJobsBuilder UseRedis(this ICancellableJobsBuilder builder, Func<IServiceProvider, RedisConnectionSource> source, Action<RedisJobStoreOptions>? configure)
    {
        var services = builder.Services;
        services.AddOptions<RedisJobStoreOptions>().Configure(configure ?? (static _ => { })).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisJobStoreOptions>, RedisJobStoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisLeaseMonitor>());
        services.Replace(ServiceDescriptor.Singleton(source));
        services.Replace(ServiceDescriptor.Singleton<IJobStore>(sp => new RedisJobStore(
            sp.GetRequiredService<RedisConnectionSource>().Connection,
            sp.GetRequiredService<IOptions<RedisJobStoreOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<RedisJobStore>>())));
        return builder;
    }
}
