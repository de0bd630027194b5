using Cancellable.Jobs;
using Cancellable.Jobs.AspNetCore;
using Cancellable.Jobs.AspNetCore.Dashboard;
using Cancellable.Jobs.AspNetCore.Events;
using Cancellable.Jobs.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Maps the Cancellable.Jobs HTTP API, its server-sent events and its dashboard.
/// </summary>
public static class CancellableJobsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the jobs API under <paramref name="prefix"/> and the dashboard at <c>{prefix}/ui</c>, serving only local
    /// requests until the host opens them.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="prefix">The route prefix. The default value is <c>/admin/jobs</c>.</param>
    /// <returns>The route group of the endpoints, for <c>RequireAuthorization(...)</c>, <c>AllowAnonymous()</c> and other conventions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="prefix"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Requires <c>services.AddCancellableJobs()</c>. The endpoints serve only requests from the loopback address that
    /// carry no forwarding headers, unless the host requires an authorization policy on the returned group, allows
    /// anonymous access on it, or sets <see cref="CancellableJobsEndpointOptions.AllowAnonymousRemoteAccess"/>.
    /// </remarks>
    public static RouteGroupBuilder MapCancellableJobs(this IEndpointRouteBuilder endpoints, string prefix = "/admin/jobs") =>
        endpoints.MapCancellableJobs(prefix, static _ => { });

    /// <summary>
    /// Maps the jobs API under <paramref name="prefix"/> and the dashboard at <c>{prefix}/ui</c>, with options.
    /// </summary>
    /// <param name="endpoints">The app or a route group.</param>
    /// <param name="prefix">The route prefix, such as <c>/admin/jobs</c>.</param>
    /// <param name="configure">Configures the endpoints' options.</param>
    /// <returns>The route group of the endpoints, for <c>RequireAuthorization(...)</c>, <c>AllowAnonymous()</c> and other conventions.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static RouteGroupBuilder MapCancellableJobs(this IEndpointRouteBuilder endpoints, string prefix, Action<CancellableJobsEndpointOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(configure);

        var options = new CancellableJobsEndpointOptions();
        configure(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRequestBodySize, 1, nameof(configure));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.HeartbeatInterval, TimeSpan.Zero, nameof(configure));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EventResumeCapacity, 1, nameof(configure));

        var services = endpoints.ServiceProvider;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("Cancellable.Jobs.AspNetCore") ?? NullLogger.Instance;
        var stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        var manager = services.GetService<IJobManager>()
            ?? throw new InvalidOperationException("Call services.AddCancellableJobs() before MapCancellableJobs.");

        var guard = new JobEndpointGuard(options, logger);
        var api = new JobEndpoints(options);
        var events = new JobEventEndpoints(options, api, new JobChangeFeed(manager, options.EventResumeCapacity, stopping, logger), stopping);

        var group = endpoints.MapGroup(prefix);

        // The catch-all at the end ranks below every other route, so it takes only what they leave: no request is ambiguous.
#pragma warning disable ASP0022
        group.MapGet("/", guard.Wrap(api.ListAsync, changesState: false));
        group.MapGet("/stats", guard.Wrap(api.StatisticsAsync, changesState: false));
        group.MapGet("/events", guard.Wrap(events.AllEventsAsync, changesState: false));
        group.MapGet("/ui", guard.Wrap(DashboardEndpoint.ServeAsync, changesState: false));
        group.MapPost("/start", guard.Wrap(api.StartAsync, changesState: true));
        group.MapPost("/cancel-all", guard.Wrap(api.CancelAllAsync, changesState: true));
        group.MapGet("/{id}", guard.Wrap(api.GetAsync, changesState: false));
        group.MapGet("/{id}/status", guard.Wrap(api.GetAsync, changesState: false));
        group.MapGet("/{id}/events", guard.Wrap(events.JobEventsAsync, changesState: false));
        group.MapPost("/{id}/cancel", guard.Wrap(api.CancelAsync, changesState: true));
        group.MapPost("/{id}/retry", guard.Wrap(api.RetryAsync, changesState: true));
        group.MapDelete("/{id}", guard.Wrap(api.DeleteAsync, changesState: true));
        group.Map("/{**path}", guard.Wrap(JobRouteFallback.AnswerAsync, changesState: false));
#pragma warning restore ASP0022
        return group;
    }
}
