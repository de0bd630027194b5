using Microsoft.Extensions.DependencyInjection;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed class JobTypeDescriptorTests
{
    private sealed class IntJob : IJob<int>
    {
        public Task ExecuteAsync(int input, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public void PrepareInput_ValueTypeInput_IsValidatedWithoutBoxingMismatch()
    {
        using var services = new ServiceCollection().BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var descriptor = new JobTypeDescriptor<IntJob, int>("int_job");

        var json = descriptor.PrepareInput(42, services, JobJson.CreateDefaultOptions());

        Assert.Equal("42"u8.ToArray(), json);
    }
}
