using Cancellable.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Usage: Cancellable.Jobs.Redis.TestWorker <connection string> <key prefix> <lease ms> <lease check ms>
var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Services.AddCancellableJobs(o => o.RunnerPollInterval = TimeSpan.FromSeconds(1))
    .UseRedis(args[0], o =>
    {
        o.KeyPrefix = args[1];
        o.LeaseTime = TimeSpan.FromMilliseconds(int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        o.LeaseCheckInterval = TimeSpan.FromMilliseconds(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
    })
    .AddJob<BlockingJob, BlockInput>("record");
using var host = builder.Build();
await host.RunAsync();

internal sealed record BlockInput(bool Block);

internal sealed class BlockingJob : IJob<BlockInput>
{
    public async Task ExecuteAsync(BlockInput input, JobContext context, CancellationToken cancellationToken)
    {
        await Console.Out.WriteLineAsync($"started {context.JobId}");
        await Console.Out.FlushAsync(cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
