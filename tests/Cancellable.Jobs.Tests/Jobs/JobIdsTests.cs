using System.Collections.Concurrent;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed class JobIdsTests
{
    [Fact]
    public void New_Always_ThirtyTwoLowercaseHexadecimalDigits()
    {
        for (var i = 0; i < 1_000; i++)
        {
            var id = JobIds.New();
            Assert.Matches("^[0-9a-f]{32}$", id);
        }
    }

    [Fact]
    public void New_ManyIdsOnSeveralThreads_AllDistinct()
    {
        // Each thread draws its bytes in batches of 256 ids: 10,000 ids per thread cross many refills.
        const int Threads = 8, PerThread = 10_000;
        var ids = new ConcurrentBag<string>();
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                ids.Add(JobIds.New());
            }
        });

        Assert.Equal(Threads * PerThread, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void New_EachHexDigitPosition_TakesManyValues()
    {
        // Random bits, not a counter: every one of the 32 positions varies over 4,096 ids.
        var ids = Enumerable.Range(0, 4_096).Select(_ => JobIds.New()).ToList();
        for (var position = 0; position < 32; position++)
        {
            Assert.True(ids.Select(id => id[position]).Distinct().Count() >= 15, $"position {position} barely varies");
        }
    }
}
