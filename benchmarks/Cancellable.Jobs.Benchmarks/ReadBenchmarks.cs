using BenchmarkDotNet.Attributes;
using Cancellable.Jobs.Benchmarks.Baseline;
using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>Scenario 5: reads with many finished jobs retained.</summary>
[MemoryDiagnoser]
public class ReadBenchmarks
{
    private InMemoryJobStore _store = null!;
    private Dictionary<string, HandRolledJob> _baseline = null!;
    private string[] _ids = null!;
    private string[] _baselineIds = null!;
    private int _next;

    [ParamsSource(nameof(RetainedCounts))]
    public int Retained { get; set; }

    /// <summary>
    /// 100,000 and 1,000,000, or the counts in the environment variable <c>RETAINED</c> (comma-separated), so that a
    /// quick run can skip the 1,000,000-job fills: <c>RETAINED=100000 dotnet run -c Release -- --filter '*ReadBenchmarks*' --job short</c>.
    /// </summary>
    public static IEnumerable<int> RetainedCounts => RetainedJobs.CountsFromEnvironment(100_000, 1_000_000);

    // Each side fills only what it reads: BenchmarkDotNet runs a setup per method and size, and filling 1,000,000 jobs
    // is most of a run's time.
    [GlobalSetup(Targets = [nameof(GetById), nameof(ListFailedPage), nameof(ListOwnerPage), nameof(StatsByOwner)])]
    public void SetupLibrary()
    {
        _store = new InMemoryJobStore();
        _ids = [.. RetainedJobs.FillAsync(_store, Retained, RetainedJobs.Epoch.AddHours(1)).GetAwaiter().GetResult()];
    }

    [GlobalSetup(Targets = [nameof(HandRolledGetById), nameof(HandRolledGetByIdAsSnapshot), nameof(HandRolledListFailedPage), nameof(HandRolledStatsByOwner)])]
    public void SetupBaseline()
    {
        _baseline = RetainedJobs.FillBaseline(Retained);
        _baselineIds = [.. _baseline.Keys];
    }

    [Benchmark(Baseline = true)]
    public HandRolledJob HandRolledGetById() => _baseline[_baselineIds[_next++ % _baselineIds.Length]];

    /// <summary>
    /// The baseline's lookup plus an immutable snapshot of the record, as an app hands out a read model: the get
    /// by id target is "2 × the dictionary lookup plus the snapshot".
    /// </summary>
    [Benchmark]
    public JobSnapshot HandRolledGetByIdAsSnapshot()
    {
        var job = _baseline[_baselineIds[_next++ % _baselineIds.Length]];
        return new JobSnapshot { Id = job.Id, Type = "trivial", Status = job.Status, Owner = job.Owner, CreatedAt = job.CompletedAt, CompletedAt = job.CompletedAt };
    }

    [Benchmark]
    public JobSnapshot? GetById() => _store.GetAsync(_ids[_next++ % _ids.Length]).Result;

    [Benchmark]
    public List<HandRolledJob> HandRolledListFailedPage() =>
        [.. _baseline.Values.Where(j => j.Status == JobStatus.Failed).OrderByDescending(j => j.CompletedAt).Take(50)];

    [Benchmark]
    public JobPage ListFailedPage() => _store.QueryAsync(new JobQuery { Status = JobStatus.Failed, PageSize = 50 }).Result;

    [Benchmark]
    public JobPage ListOwnerPage() => _store.QueryAsync(new JobQuery { Owner = RetainedJobs.Owner(7), PageSize = 50 }).Result;

    [Benchmark]
    public int HandRolledStatsByOwner() => _baseline.Values.GroupBy(j => j.Owner).Select(g => g.Count(j => j.Status == JobStatus.Failed)).Count();

    [Benchmark]
    public JobStatistics StatsByOwner() => _store.GetStatisticsAsync(JobGrouping.Owner, null).Result;
}
