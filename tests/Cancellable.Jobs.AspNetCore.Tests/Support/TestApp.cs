using System.Net;
using System.Security.Claims;
using Cancellable.Jobs.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Cancellable.Jobs.AspNetCore.Tests.Support;

/// <summary>
/// A host app on the test server with the endpoints at /admin/jobs. Requests are local (127.0.0.1) unless they carry
/// <c>X-Test-Remote</c> (an address, or <c>none</c> for no address as on a bare test server); <c>X-Test-User</c> signs
/// a user in.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string Prefix = "/admin/jobs";

    private TestApp(WebApplication app, FakeTimeProvider time)
    {
        App = app;
        Time = time;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public IJobManager Manager => App.Services.GetRequiredService<IJobManager>();

    public JobGate Gate => App.Services.GetRequiredService<JobGate>();

    public static async Task<TestApp> StartAsync(
        Action<CancellableJobsEndpointOptions>? configureEndpoints = null,
        Action<CancellableJobsOptions>? configureJobs = null,
        Action<RouteGroupBuilder>? conventions = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configurePipeline = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Host.UseDefaultServiceProvider(o =>
        {
            o.ValidateOnBuild = true;
            o.ValidateScopes = true;
        });
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<JobGate>();
        builder.Services.AddCancellableJobs(configureJobs ?? (_ => { }))
            .AddJob<CountJob, CountInput, int>("count")
            .AddJob<WaitJob, WaitInput>("wait")
            .AddJob<IdleJob, WaitInput>("idle")
            .AddJob<FailJob, WaitInput>("fail")
            .AddJob<RemovalJob, RemovalInput, int>("removal_workflow")
            .AddJob<PipelineJob, WaitInput>("pipeline");
        configureBuilder?.Invoke(builder);

        var app = builder.Build();
        app.Use((context, next) =>
        {
            var remote = context.Request.Headers["X-Test-Remote"].ToString();
            context.Connection.RemoteIpAddress = remote.Length == 0 ? IPAddress.Loopback : remote == "none" ? null : IPAddress.Parse(remote);
            var user = context.Request.Headers["X-Test-User"].ToString();
            if (user.Length > 0 && configurePipeline is null)
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], "Test"));
            }

            return next(context);
        });
        configurePipeline?.Invoke(app);
        var group = configureEndpoints is null ? app.MapCancellableJobs(Prefix) : app.MapCancellableJobs(Prefix, configureEndpoints);
        conventions?.Invoke(group);
        await app.StartAsync();
        return new TestApp(app, time);
    }

    /// <summary>Waits (on the job's own changes, not on time) until the job reaches <paramref name="status"/>.</summary>
    public async Task<JobSnapshot> WaitForStatusAsync(string jobId, JobStatus status)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var change in Manager.WatchAsync(jobId, timeout.Token))
        {
            if (change.Job.Status == status)
            {
                return change.Job;
            }
        }

        throw new InvalidOperationException($"Job {jobId} was removed before it was {status}.");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
