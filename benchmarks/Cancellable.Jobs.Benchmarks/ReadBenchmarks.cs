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

    [Params(100_000, 1_000_000)]
    public int Retained { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryJobStore();
        _ids = [.. RetainedJobs.FillAsync(_store, Retained, RetainedJobs.Epoch.AddHours(1)).GetAwaiter().GetResult()];
        _baseline = RetainedJobs.FillBaseline(Retained);
        _baselineIds = [.. _baseline.Keys];
    }

    [Benchmark(Baseline = true)]
    public HandRolledJob HandRolledGetById() => _baseline[_baselineIds[_next++ % _baselineIds.Length]];

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
