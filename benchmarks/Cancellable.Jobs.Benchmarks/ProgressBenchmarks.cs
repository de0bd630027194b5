using BenchmarkDotNet.Attributes;
using Cancellable.Jobs.Benchmarks.Baseline;

namespace Cancellable.Jobs.Benchmarks;

/// <summary>Scenario 4: the cost of one progress report or message inside a running job.</summary>
[MemoryDiagnoser]
public class ProgressBenchmarks
{
    private const int Calls = 1_000;
    private JobContext _context = null!;
    private JobStep _nested = null!;
    private JobContext _full = null!;
    private HandRolledJob _baselineJob = null!;
    private readonly Queue<(string, DateTimeOffset)> _baselineMessages = new();
    private readonly object _baselineLock = new();

    [GlobalSetup]
    public void Setup()
    {
        var options = new CancellableJobsOptions();
        var job = new JobSnapshot { Id = "bench", Type = "trivial", Status = JobStatus.Running, CreatedAt = DateTimeOffset.UnixEpoch };
        _context = new JobContext(job, options, TimeProvider.System);
        _nested = _context.Step("outer", 1).Step("inner", 2);
        _context.Step("other", 3);
        _full = new JobContext(job, options, TimeProvider.System);
        for (var i = 0; i < options.MaxMessagesPerLevel; i++)
        {
            _full.Info("warm-up message");
        }

        _baselineJob = new HandRolledJob("bench", static (_, _) => Task.CompletedTask);
        for (var i = 0; i < options.MaxMessagesPerLevel; i++)
        {
            BaselineInfo("warm-up message");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public void HandRolledProgress()
    {
        for (var i = 0; i < Calls; i++)
        {
            Volatile.Write(ref _baselineJob.Progress, i / (double)Calls);
        }
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void ReportProgress()
    {
        for (var i = 0; i < Calls; i++)
        {
            _context.ReportProgress(i, Calls);
        }
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void ReportProgressNested()
    {
        for (var i = 0; i < Calls; i++)
        {
            _nested.ReportProgress(i / (double)Calls);
        }
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void HandRolledInfoAtCap()
    {
        for (var i = 0; i < Calls; i++)
        {
            BaselineInfo("processing member 42 of 1000");
        }
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void InfoAtCap()
    {
        for (var i = 0; i < Calls; i++)
        {
            _full.Info("processing member 42 of 1000");
        }
    }

    private void BaselineInfo(string message)
    {
        lock (_baselineLock)
        {
            if (_baselineMessages.Count >= 1_000)
            {
                _baselineMessages.Dequeue();
            }

            _baselineMessages.Enqueue((message, TimeProvider.System.GetUtcNow()));
        }
    }
}
