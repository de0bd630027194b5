using Cancellable.Jobs.Hosting;
using Cancellable.Jobs.Storage;
using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cancellable.Jobs.Tests.DependencyInjection;

public sealed class CancellableJobsServiceCollectionExtensionsTests
{
    [Fact]
    public void AddCancellableJobs_Default_ProviderBuildsWithValidation()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCancellableJobs().AddJob<ScriptJob, ScriptInput>("script");
        services.AddSingleton<JobScripts>();

        using var provider = Build(services);

        Assert.IsType<InMemoryJobStore>(provider.GetRequiredService<IJobStore>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Same(provider.GetRequiredService<IJobManager>(), provider.GetRequiredService<IJobManager>());
        using var scope = provider.CreateScope();
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<ScriptJob>());
    }

    [Fact]
    public void AddCancellableJobs_CalledTwice_OneRunnerAndOneSweeper()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCancellableJobs();
        services.AddCancellableJobs();

        using var provider = Build(services);
        var hosted = provider.GetServices<IHostedService>().ToList();

        Assert.Equal(2, hosted.Count);
        Assert.Single(hosted.OfType<JobRunner>());
        Assert.Single(hosted.OfType<JobSweeper>());
        Assert.Single(services, s => s.ServiceType == typeof(IJobManager));
    }

    [Fact]
    public void AddCancellableJobs_CalledTwice_BothConfigurationsApply()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCancellableJobs(o => o.MaxConcurrentJobs = 3);
        services.AddCancellableJobs(o => o.MaxPendingJobs = 4);

        using var provider = Build(services);
        var options = provider.GetRequiredService<IOptions<CancellableJobsOptions>>().Value;

        Assert.Equal((3, 4), (options.MaxConcurrentJobs, options.MaxPendingJobs));
    }

    [Fact]
    public void AddCancellableJobs_StoreAndTimeRegisteredFirst_KeepsThem()
    {
        var store = new InMemoryJobStore();
        var time = new TestTimeProvider();
        var services = new ServiceCollection().AddLogging().AddSingleton<IJobStore>(store).AddSingleton<TimeProvider>(time);
        services.AddCancellableJobs();

        using var provider = Build(services);

        Assert.Same(store, provider.GetRequiredService<IJobStore>());
        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void AddCancellableJobs_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddCancellableJobs());
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddCancellableJobs(null!));
    }

    internal static ServiceProvider Build(IServiceCollection services) =>
        services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
}
