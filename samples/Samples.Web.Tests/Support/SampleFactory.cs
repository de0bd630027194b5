using System.Net;
using Cancellable.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Samples.Web.Tests.Support;

/// <summary>
/// Runs a web sample in-process on the test server. Requests arrive from 127.0.0.1, as curl's do on the sample's
/// machine, so the endpoints' default (local requests only) lets them through.
/// </summary>
/// <typeparam name="TEntryPoint">A public type of the sample's assembly.</typeparam>
public sealed class SampleFactory<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly Action<IServiceCollection>? _configureServices;

    public SampleFactory(Action<IServiceCollection>? configureServices = null) => _configureServices = configureServices;

    public IJobManager Manager => Services.GetRequiredService<IJobManager>();

    /// <summary>Waits, on the job's own changes and not on time, until <paramref name="predicate"/> holds.</summary>
    public async Task<JobSnapshot> WaitForAsync(string jobId, Func<JobSnapshot, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var change in Manager.WatchAsync(jobId, timeout.Token))
        {
            if (predicate(change.Job))
            {
                return change.Job;
            }
        }

        throw new InvalidOperationException($"Job {jobId} was removed before the condition held.");
    }

    public async Task<JobSnapshot> WaitForCompletionAsync(string jobId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await Manager.WaitForCompletionAsync(jobId, timeout.Token)
            ?? throw new InvalidOperationException($"Job {jobId} was removed before it finished.");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter, LoopbackStartupFilter>();
            _configureServices?.Invoke(services);
        });
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.UseDefaultServiceProvider(o =>
        {
            o.ValidateOnBuild = true;
            o.ValidateScopes = true;
        });
        return base.CreateHost(builder);
    }

    private sealed class LoopbackStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate nextDelegate) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return nextDelegate(context);
            });
            next(app);
        };
    }
}
