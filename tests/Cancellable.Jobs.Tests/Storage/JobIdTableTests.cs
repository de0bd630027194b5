using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.Tests.Storage;

public sealed class JobIdTableTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Find_AddedEntries_FindsEachByItsIdAndNothingElse(bool hexIds)
    {
        var table = new JobIdTable();
        var jobs = Enumerable.Range(0, 100).Select(i => Job(hexIds ? Guid.NewGuid().ToString("N") : $"job-{i}")).ToList();

        jobs.ForEach(job => table.Add(JobKey.From(job.Id), job));

        Assert.Equal(100, table.Count);
        Assert.All(jobs, job => Assert.Same(job, table.Find(JobKey.From(job.Id))));
        Assert.Null(table.Find(JobKey.From(Guid.NewGuid().ToString("N"))));
        Assert.Null(table.Find(JobKey.From("job-100")));
    }

    [Fact]
    public void Replace_ActiveByFinished_FindsTheFinishedEntryByTextAndByNumbers()
    {
        var table = new JobIdTable();
        var job = Job(Guid.NewGuid().ToString("N"));
        table.Add(JobKey.From(job.Id), job);
        var finished = new FinishedJob(job with { Status = JobStatus.Completed, CompletedAt = Epoch }, job.Type, job.Owner);

        table.Replace(JobKey.From(job.Id), finished);

        Assert.Same(finished, table.Find(JobKey.From(job.Id)));
        Assert.Same(finished, table.Find(finished.Key));
        Assert.Same(finished, table.Find(JobIdTable.KeyOf(finished)));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Remove_MostOfManyEntries_KeepsFindingTheRest()
    {
        var table = new JobIdTable();
        var jobs = Enumerable.Range(0, 5000).Select(i => Job(i % 3 == 0 ? $"job-{i}" : Guid.NewGuid().ToString("N"))).ToList();
        jobs.ForEach(job => table.Add(JobKey.From(job.Id), job));

        // Removing all but every 50th job shrinks the table; adding them again afterwards reuses the removed slots.
        var removed = jobs.Where((_, i) => i % 50 != 0).ToList();
        removed.ForEach(job => table.Remove(JobIdTable.KeyOf(job)));

        Assert.Equal(100, table.Count);
        Assert.All(jobs.Where((_, i) => i % 50 == 0), job => Assert.Same(job, table.Find(JobKey.From(job.Id))));
        Assert.All(removed, job => Assert.Null(table.Find(JobKey.From(job.Id))));

        removed.ForEach(job => table.Add(JobKey.From(job.Id), job));
        Assert.Equal(5000, table.Count);
        Assert.All(jobs, job => Assert.Same(job, table.Find(JobKey.From(job.Id))));
    }

    /// <summary>
    /// A reader that found a job's slot used to read the slot a second time, and could get the marker a removal had just
    /// written there instead of the entry or nothing.
    /// </summary>
    [Fact]
    public async Task Find_RacingRemovalsAndAdds_ReturnsTheEntryOrNothing()
    {
        var table = new JobIdTable();
        var job = Job(Guid.NewGuid().ToString("N"));
        var key = JobKey.From(job.Id);
        var others = Enumerable.Range(0, 8).Select(_ => Job(Guid.NewGuid().ToString("N"))).ToList();
        others.ForEach(other => table.Add(JobKey.From(other.Id), other));
        var seen = new HashSet<Type>();
        var reading = 0;

        // The writer adds and removes the job for as long as the reader looks it up, however the two threads start.
        var reader = Task.Run(() =>
        {
            Volatile.Write(ref reading, 1);
            for (var i = 0; i < 2_000_000; i++)
            {
                if (table.Find(key) is { } found)
                {
                    seen.Add(found.GetType());
                }
            }

            Assert.Same(others[0], table.Find(JobKey.From(others[0].Id)));
        });
        while (Volatile.Read(ref reading) == 0)
        {
            Thread.Yield();
        }

        while (!reader.IsCompleted)
        {
            table.Add(key, job);
            table.Remove(key);
        }

        await reader;

        Assert.All(seen, type => Assert.Equal(typeof(JobSnapshot), type));
    }

    private static JobSnapshot Job(string id) => new() { Id = id, Type = "t", Status = JobStatus.Running, CreatedAt = Epoch };
}
