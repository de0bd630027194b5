using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>
/// Scenario 7: one sweep that removes 10,000 expired jobs (1 % of 1,000,000) with 100,000, 1,000,000 and 10,000,000
/// retained: its cost must follow the expired count, not the total.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, iterationCount: 10, invocationCount: 1)]
public class SweeperBenchmarks
{
    private const int Expired = 10_000;
    private InMemoryJobStore _store = null!;
    private DateTimeOffset _now;

    [ParamsSource(nameof(RetainedCounts))]
    public int Retained { get; set; }

    /// <summary>100,000, 1,000,000 and 10,000,000, or the counts in the environment variable <c>RETAINED</c>.</summary>
    public static IEnumerable<int> RetainedCounts => RetainedJobs.CountsFromEnvironment(100_000, 1_000_000, 10_000_000);

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryJobStore();
        _now = RetainedJobs.Epoch.AddHours(1);
        RetainedJobs.FillAsync(_store, Retained - Expired, _now.AddHours(1)).GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void AddExpired() => RetainedJobs.FillAsync(_store, Expired, _now.AddMilliseconds(-Expired - 1)).GetAwaiter().GetResult();

    [Benchmark]
    public int Sweep()
    {
        var removed = _store.RemoveExpiredAsync(_now, int.MaxValue).Result.Count;
        return removed == Expired ? removed : throw new InvalidOperationException($"Swept {removed}, expected {Expired}.");
    }
}
