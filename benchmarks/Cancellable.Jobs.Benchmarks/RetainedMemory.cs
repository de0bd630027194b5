using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>
/// Scenario 6: bytes retained per finished job, measured as the managed heap's growth after a full collection (what
/// BenchmarkDotNet's allocation figures cannot tell).
/// </summary>
public static class RetainedMemory
{
    public static async Task RunAsync(int jobs = 200_000)
    {
        Console.WriteLine($"Retained bytes per finished job ({jobs:N0} jobs, median of 3 runs):");
        Console.WriteLine($"  hand-rolled dictionary record : {Median(() => Measure(() => Task.FromResult<object>(RetainedJobs.FillBaseline(jobs)), jobs)):N0}");
        Console.WriteLine($"  library, no messages           : {Median(() => Measure(async () => await Fill(0), jobs)):N0}");
        Console.WriteLine($"  library, 10 messages           : {Median(() => Measure(async () => await Fill(10), jobs)):N0}");
        Console.WriteLine($"  library, small input           : {Median(() => Measure(async () => await Fill(0, withInput: true), jobs)):N0}");

        async Task<object> Fill(int messages, bool withInput = false)
        {
            var store = new InMemoryJobStore();
            await RetainedJobs.FillAsync(store, jobs, RetainedJobs.Epoch.AddHours(1), messages, withInput);
            return store;
        }
    }

    private static double Median(Func<Task<double>> measure) =>
        new[] { measure().GetAwaiter().GetResult(), measure().GetAwaiter().GetResult(), measure().GetAwaiter().GetResult() }.Order().ElementAt(1);

    private static async Task<double> Measure(Func<Task<object>> build, int jobs)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var kept = await build();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(kept);
        return (after - before) / (double)jobs;
    }
}
