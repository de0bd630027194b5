using Cancellable.Jobs.Redis.Storage;
using Cancellable.Jobs.Redis.Tests.Hosting;
using Cancellable.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cancellable.Jobs.Redis.Tests.DependencyInjection;

[Collection(RedisCollection.Name)]
public sealed class RedisCancellableJobsBuilderExtensionsTests(RedisServerFixture redis)
{
    private static readonly ServiceProviderOptions Validating = new() { ValidateOnBuild = true, ValidateScopes = true };

    [Fact]
    public async Task UseRedis_ConnectionString_ReplacesTheStoreAndRunsJobs()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var prefix = RedisServerFixture.NewPrefix();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.ConfigureContainer(new DefaultServiceProviderFactory(Validating));
        builder.Services.AddSingleton(new RunLog());
        builder.Services.AddSingleton(new HostName("only"));
        builder.Services.AddCancellableJobs()
            .UseRedis(redis.ConnectionString, o => o.KeyPrefix = prefix)
            .AddJob<RecordingJob, BlockInput>("record");
        using var host = builder.Build();
        await host.StartAsync(timeout.Token);

        var job = await host.Manager().StartAsync("record", new BlockInput(false), cancellationToken: timeout.Token);
        var done = await host.Manager().WaitForCompletionAsync(job.Id, timeout.Token);

        Assert.IsType<RedisJobStore>(host.Services.GetRequiredService<IJobStore>());
        Assert.Single(host.Services.GetServices<IJobStore>());
        Assert.Equal(JobStatus.Completed, done!.Status);
        Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync(prefix + "job:" + job.Id));
        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task UseRedis_CalledTwice_TheLastConfigurationWinsWithOneStore()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCancellableJobs().UseRedis(redis.Connection, o => o.KeyPrefix = "first:").UseRedis(redis.Connection, o => o.KeyPrefix = "second:");
        await using var provider = services.BuildServiceProvider(Validating);

        Assert.Single(services, s => s.ServiceType == typeof(IJobStore));
        Assert.Equal("second:", provider.GetRequiredService<IOptions<RedisJobStoreOptions>>().Value.KeyPrefix);
    }

    [Theory]
    [InlineData("", 30, "KeyPrefix")]
    [InlineData("p:", 0, "ClaimTimeout")]
    public async Task UseRedis_InvalidOptions_FailsWhenTheHostStarts(string prefix, int claimSeconds, string option)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddCancellableJobs().UseRedis(redis.Connection, o =>
        {
            o.KeyPrefix = prefix;
            o.ClaimTimeout = TimeSpan.FromSeconds(claimSeconds);
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseRedis_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddCancellableJobs();

        Assert.Throws<ArgumentNullException>(() => builder.UseRedis((string)null!));
        Assert.Throws<ArgumentException>(() => builder.UseRedis(string.Empty));
        Assert.Throws<ArgumentNullException>(() => builder.UseRedis((StackExchange.Redis.IConnectionMultiplexer)null!));
    }
}
