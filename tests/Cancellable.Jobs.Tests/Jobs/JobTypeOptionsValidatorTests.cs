using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed class JobTypeOptionsValidatorTests
{
    [Fact]
    public async Task HostStartAsync_NegativeMaxStaleRequeues_ThrowsNamingTheOptionAndTheJobType()
    {
        await using var host = JobsHost.Build(jobs: b => b.AddJob<ScriptJob, ScriptInput>(JobsHost.ScriptType, o =>
        {
            o.RequeueWhenStale = true;
            o.MaxStaleRequeues = -1;
        }));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        var failure = Assert.Single(ex.Failures);
        Assert.Equal("JobTypeOptions.MaxStaleRequeues of job type 'script' must be between 0 and 2147483647; it was -1.", failure);
        Assert.Equal(JobsHost.ScriptType, ex.OptionsName);
    }

    [Fact]
    public async Task HostStartAsync_NegativeMaxStaleRequeuesConfiguredOutsideAddJob_Throws()
    {
        await using var host = JobsHost.Build(services: s => s.Configure<JobTypeOptions>(JobsHost.ScriptType, o => o.MaxStaleRequeues = -5));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(host.StartAsync);

        Assert.Contains("JobTypeOptions.MaxStaleRequeues of job type 'script' ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStartAsync_MaxStaleRequeuesZero_Starts()
    {
        await using var host = JobsHost.Build(jobs: b => b.AddJob<ScriptJob, ScriptInput>(JobsHost.ScriptType, o =>
        {
            o.RequeueWhenStale = true;
            o.MaxStaleRequeues = 0;
        }));

        await host.StartAsync();

        Assert.Equal(0, host.Services.GetRequiredService<IOptionsMonitor<JobTypeOptions>>().Get(JobsHost.ScriptType).MaxStaleRequeues);
    }

    [Fact]
    public void Validate_Defaults_SucceedsWithThreeStaleRequeues()
    {
        var options = new JobTypeOptions();

        var result = new JobTypeOptionsValidator().Validate("t", options);

        Assert.True(result.Succeeded);
        Assert.Equal((false, 3), (options.RequeueWhenStale, options.MaxStaleRequeues));
    }
}
