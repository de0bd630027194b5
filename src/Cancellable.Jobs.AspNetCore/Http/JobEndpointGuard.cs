using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.AspNetCore.Http;

/// <summary>
/// Wraps every endpoint: serves only local requests unless the host opened the endpoints, refuses cross-site changes,
/// and turns unexpected errors into a 500 problem without a stack trace.
/// </summary>
internal sealed class JobEndpointGuard(CancellableJobsEndpointOptions options, ILogger logger)
{
    // A request that passed through a proxy is not local, even when the proxy itself runs on this machine.
    private static readonly string[] ForwardingHeaders =
    [
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix", "X-Real-IP",
        "X-Original-For", "X-Original-Host", "X-Original-Proto", "X-Client-IP", "True-Client-IP", "CF-Connecting-IP",
        "X-Cluster-Client-IP",
    ];

    public RequestDelegate Wrap(RequestDelegate handler, bool changesState) => async context =>
    {
        if (!IsOpened(context.GetEndpoint()) && !IsLocal(context))
        {
            await JobProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Only local requests are served. To open these endpoints to remote users, require an authorization policy on them (MapCancellableJobs(...).RequireAuthorization(...)) or allow anonymous access explicitly.").ConfigureAwait(false);
            return;
        }

        if (changesState && !options.AllowCrossOriginRequests && IsCrossSite(context.Request))
        {
            await JobProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Cross-site requests may not change jobs.").ConfigureAwait(false);
            return;
        }

        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            // The server refused the request itself, such as a body over Kestrel's own limit.
            context.Response.Clear();
            await JobProblems.WriteAsync(context, exception.StatusCode, "The request could not be read.").ConfigureAwait(false);
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            // The path as it came on the wire (percent-encoded): decoded, it could hold line breaks that forge log entries.
            Log.UnexpectedError(logger, exception, context.Request.Method, (context.Request.PathBase + context.Request.Path).ToUriComponent());
            context.Response.Clear();
            await JobProblems.WriteAsync(context, StatusCodes.Status500InternalServerError, options.IncludeStackTraces ? exception.ToString() : "An unexpected error occurred.").ConfigureAwait(false);
        }
    };

    /// <summary>Whether the host opened the endpoints: an authorization policy, explicit anonymous access, or the option.</summary>
    private bool IsOpened(Endpoint? endpoint)
    {
        if (options.AllowAnonymousRemoteAccess)
        {
            return true;
        }

        var metadata = endpoint?.Metadata;
        return metadata is not null
            && (metadata.GetMetadata<IAllowAnonymous>() is not null
                || metadata.GetMetadata<IAuthorizeData>() is not null
                || metadata.GetMetadata<AuthorizationPolicy>() is not null);
    }

    internal static bool IsLocal(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (!IPAddress.IsLoopback(address))
        {
            return false;
        }

        foreach (var header in ForwardingHeaders)
        {
            if (context.Request.Headers.ContainsKey(header))
            {
                return false;
            }
        }

        // A page on another site that rebinds its DNS name to 127.0.0.1 still sends its own name as the host.
        var host = context.Request.Host.Host;
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var hostAddress) && IPAddress.IsLoopback(hostAddress));
    }

    private static bool IsCrossSite(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            return fetchSite is not ("same-origin" or "none");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false;
        }

        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || !string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
