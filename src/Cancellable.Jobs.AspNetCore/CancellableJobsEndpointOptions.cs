namespace Cancellable.Jobs.AspNetCore;

/// <summary>
/// Options for the endpoints that <c>MapCancellableJobs</c> maps: who may call them, what they reveal and how they
/// stream.
/// </summary>
public sealed class CancellableJobsEndpointOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether requests from other machines are served without an authorization policy.
    /// The default value is <see langword="false"/>.
    /// </summary>
    /// <remarks>
    /// By default the endpoints serve only requests that come from the loopback address, name a loopback host and carry
    /// no forwarding headers, unless the host requires an authorization policy on them
    /// (<c>MapCancellableJobs(...).RequireAuthorization(...)</c>) or allows anonymous access
    /// (<c>.AllowAnonymous()</c>). Setting this to <see langword="true"/> opens them to anyone who can reach the app.
    /// </remarks>
    public bool AllowAnonymousRemoteAccess { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether requests that change jobs (POST, DELETE) are served when the browser says
    /// they come from another site (<c>Sec-Fetch-Site</c>, <c>Origin</c>). The default value is <see langword="false"/>.
    /// </summary>
    /// <remarks>
    /// Refusing them keeps a page on another site from cancelling or starting jobs through the browser of someone who may.
    /// Set this when a front end on another origin calls the API with credentials that are not cookies.
    /// </remarks>
    public bool AllowCrossOriginRequests { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the stack traces of failed jobs and of unexpected errors are sent to
    /// clients. The default value is <see langword="false"/>.
    /// </summary>
    public bool IncludeStackTraces { get; set; }

    /// <summary>
    /// Gets or sets the largest request body accepted, in bytes; a larger one is refused with 413. The default value is
    /// 1,048,576 (1 MiB).
    /// </summary>
    public long MaxRequestBodySize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets how often an event stream sends a heartbeat comment so proxies and clients keep it open. The default
    /// value is 15 seconds.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets or sets how many jobs the change feed behind <c>GET {prefix}/events</c> remembers for clients that resume
    /// with <c>Last-Event-ID</c>; a client that is further behind gets a <c>reset</c> event and reloads. The default
    /// value is 10,000.
    /// </summary>
    public int EventResumeCapacity { get; set; } = 10_000;
}
