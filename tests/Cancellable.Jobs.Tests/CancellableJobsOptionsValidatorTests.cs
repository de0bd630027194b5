using System.Text.Json;
using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.Options;

namespace Cancellable.Jobs.Tests;

public sealed class CancellableJobsOptionsValidatorTests
{
    private static readonly Dictionary<string, Action<CancellableJobsOptions>> BadOptions = new(StringComparer.Ordinal)
    {
        ["MaxConcurrentJobs"] = o => o.MaxConcurrentJobs = 0,
        ["MaxPendingJobs"] = o => o.MaxPendingJobs = 0,
        ["MaxRetainedJobs"] = o => o.MaxRetainedJobs = -1,
        ["MaxMessagesPerLevel"] = o => o.MaxMessagesPerLevel = 0,
        ["MaxMessageLength"] = o => o.MaxMessageLength = 15,
        ["MaxStepsPerJob"] = o => o.MaxStepsPerJob = 0,
        ["MaxInputSize"] = o => o.MaxInputSize = 1_023,
        ["MaxResultSize"] = o => o.MaxResultSize = 0,
        ["WatcherBufferSize"] = o => o.WatcherBufferSize = 0,
        ["CompletedRetention"] = o => o.CompletedRetention = TimeSpan.FromSeconds(-1),
        ["FailedRetention"] = o => o.FailedRetention = TimeSpan.FromSeconds(-1),
        ["CancelledRetention"] = o => o.CancelledRetention = TimeSpan.FromSeconds(-1),
        ["ProgressFlushInterval"] = o => o.ProgressFlushInterval = TimeSpan.Zero,
        ["CancellationGracePeriod"] = o => o.CancellationGracePeriod = TimeSpan.FromDays(30),
        ["DefaultTimeout"] = o => o.DefaultTimeout = TimeSpan.Zero,
        ["SerializerOptions"] = o => o.SerializerOptions = null!,
        ["SerializerOptions.TypeInfoResolver"] = o => o.SerializerOptions = new JsonSerializerOptions(),
    };

    public static TheoryData<string> BadOptionNames => new(BadOptions.Keys);

    [Theory]
    [MemberData(nameof(BadOptionNames))]
    public async Task HostStartAsync_BadOption_ThrowsNamingIt(string option)
    {
        await using var host = JobsHost.Build(BadOptions[option]);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains($"CancellableJobsOptions.{option} ", ex.Message, StringComparison.Ordinal);
        Assert.Single(ex.Failures);
    }

    [Fact]
    public async Task HostStartAsync_SeveralBadOptions_NamesEach()
    {
        await using var host = JobsHost.Build(o =>
        {
            o.MaxConcurrentJobs = -1; // negative: nothing may size a buffer by it before validation stops the host
            o.CompletedRetention = TimeSpan.FromHours(-1);
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Equal(2, ex.Failures.Count());
        Assert.Contains("MaxConcurrentJobs", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CompletedRetention", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStartAsync_BoundaryValues_Starts()
    {
        await using var host = JobsHost.Build(o =>
        {
            o.MaxConcurrentJobs = 1;
            o.MaxRetainedJobs = 0;
            o.MaxMessageLength = 16;
            o.CompletedRetention = TimeSpan.Zero;
            o.FailedRetention = TimeSpan.Zero;
            o.CancelledRetention = TimeSpan.Zero;
        });

        await host.StartAsync();
    }

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = new CancellableJobsOptionsValidator().Validate(null, new CancellableJobsOptions());

        Assert.True(result.Succeeded);
    }
}
