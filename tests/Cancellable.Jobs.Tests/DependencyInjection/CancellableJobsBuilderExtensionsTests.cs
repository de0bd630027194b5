using Cancellable.Jobs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Tests.DependencyInjection;

public sealed class CancellableJobsBuilderExtensionsTests
{
    public sealed record OtherInput(int Value);

    public sealed class OtherJob : IJob<OtherInput>
    {
        public Task ExecuteAsync(OtherInput input, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public sealed class ResultJob : IJob<OtherInput, string>
    {
        public Task<string> ExecuteAsync(OtherInput input, JobContext context, CancellationToken cancellationToken) => Task.FromResult("r");
    }

    public sealed class TwoFacedJob : IJob<OtherInput>, IJob<ScriptInput>
    {
        public Task ExecuteAsync(OtherInput input, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ExecuteAsync(ScriptInput input, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public void AddJob_SameJobTwice_RegisteredOnce()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCancellableJobs().AddJob<OtherJob, OtherInput>("other").AddJob<OtherJob, OtherInput>("other");
        services.AddCancellableJobs().AddJob<OtherJob>("other");

        Assert.Single(services, s => s.ServiceType == typeof(JobTypeDescriptor));
        Assert.Single(services, s => s.ServiceType == typeof(OtherJob));
        using var provider = CancellableJobsServiceCollectionExtensionsTests.Build(services);
        Assert.Equal(["other"], provider.GetRequiredService<JobTypeRegistry>().Names);
    }

    [Fact]
    public void AddJob_WithConfigure_SetsTheTypesNamedOptionsOnly()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCancellableJobs()
            .AddJob<OtherJob, OtherInput>("other")
            .AddJob<OtherJob, OtherInput>("other", o => o.RequeueWhenStale = true)
            .AddJob<ResultJob, OtherInput, string>("result");

        using var provider = CancellableJobsServiceCollectionExtensionsTests.Build(services);
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<JobTypeOptions>>();
        Assert.True(options.Get("other").RequeueWhenStale);
        Assert.False(options.Get("result").RequeueWhenStale);
        Assert.Single(services, s => s.ServiceType == typeof(JobTypeDescriptor) && ((JobTypeDescriptor)s.ImplementationInstance!).Name == "other");
    }

    [Fact]
    public void AddJob_NameOfAnotherJob_Throws()
    {
        var builder = new ServiceCollection().AddCancellableJobs().AddJob<OtherJob, OtherInput>("other");

        var ex = Assert.Throws<ArgumentException>(() => builder.AddJob<ResultJob, OtherInput, string>("other"));

        Assert.Contains("OtherJob", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("<script>")]
    [InlineData("é")]
    public void AddJob_InvalidName_Throws(string name)
    {
        var builder = new ServiceCollection().AddCancellableJobs();

        var ex = Assert.Throws<ArgumentException>(() => builder.AddJob<OtherJob, OtherInput>(name));

        Assert.Equal("name", ex.ParamName);
    }

    [Fact]
    public void AddJob_NameLongerThan100_Throws()
    {
        var builder = new ServiceCollection().AddCancellableJobs();

        Assert.Throws<ArgumentException>(() => builder.AddJob<OtherJob, OtherInput>(new string('a', 101)));
        builder.AddJob<OtherJob, OtherInput>(new string('a', 100));
    }

    [Theory]
    [InlineData("removal_workflow")]
    [InlineData("x-1.2:3")]
    [InlineData("A")]
    public void AddJob_ValidName_Registers(string name)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCancellableJobs().AddJob<OtherJob, OtherInput>(name);

        using var provider = CancellableJobsServiceCollectionExtensionsTests.Build(services);

        Assert.Equal([name], provider.GetRequiredService<JobTypeRegistry>().Names);
    }

    [Fact]
    public void AddJob_ByReflection_FindsInputAndResultTypes()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCancellableJobs().AddJob<ResultJob>("result").AddJob<OtherJob>("other");

        using var provider = CancellableJobsServiceCollectionExtensionsTests.Build(services);
        var registry = provider.GetRequiredService<JobTypeRegistry>();

        Assert.Equal((typeof(OtherInput), typeof(string)), (registry.Find("result")!.InputType, registry.Find("result")!.ResultType));
        Assert.Equal((typeof(OtherInput), null), (registry.Find("other")!.InputType, registry.Find("other")!.ResultType));
    }

    [Fact]
    public void AddJob_ClassImplementingTwoJobInterfaces_Throws()
    {
        var builder = new ServiceCollection().AddCancellableJobs();

        Assert.Throws<ArgumentException>(() => builder.AddJob<TwoFacedJob>("two"));
    }
}
