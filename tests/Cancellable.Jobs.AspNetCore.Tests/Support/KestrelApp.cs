using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.AspNetCore.Tests.Support;

/// <summary>A host app on real Kestrel at 127.0.0.1 (a free port), with the endpoints at /admin/jobs.</summary>
public sealed class KestrelApp : IAsyncDisposable
{
    private KestrelApp(WebApplication app, string baseUrl)
    {
        App = app;
        BaseUrl = baseUrl;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl) };
    }

    public WebApplication App { get; }

    /// <summary>Gets the app's root, such as <c>http://127.0.0.1:5123</c>.</summary>
    public string BaseUrl { get; }

    public HttpClient Client { get; }

    public IJobManager Manager => App.Services.GetRequiredService<IJobManager>();

    public JobGate Gate => App.Services.GetRequiredService<JobGate>();

    public static async Task<KestrelApp> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<JobGate>();
        builder.Services.AddCancellableJobs(o => o.ProgressFlushInterval = TimeSpan.FromMilliseconds(100))
            .AddJob<CountJob, CountInput, int>("count")
            .AddJob<WaitJob, WaitInput>("wait")
            .AddJob<FailJob, WaitInput>("fail")
            .AddJob<HostileJob, WaitInput>("hostile")
            .AddJob<RemovalJob, RemovalInput, int>("removal_workflow")
            .AddJob<PipelineJob, WaitInput>("pipeline");
        var app = builder.Build();
        app.MapCancellableJobs("/admin/jobs");
        await app.StartAsync();
        return new KestrelApp(app, app.Urls.Single().TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
