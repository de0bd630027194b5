using System.Runtime.CompilerServices;
using Cancellable.Jobs.Storage;
using FsCheck.Xunit;

namespace Cancellable.Jobs.Tests.Storage;

/// <summary>
/// Tests of <see cref="ChunkedSortedSet{T, TComparer}"/>, mostly with chunks of 8 so that a few values split and merge
/// them, plus a model-based property against <see cref="SortedSet{T}"/>.
/// </summary>
public sealed class ChunkedSortedSetTests
{
    private const int Small = 8;

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(12)]
    public void Constructor_ChunkLengthNotAPowerOfTwoOfAtLeastEight_Throws(int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkedSortedSet<long, LongOrder>(length));
    }

    [Fact]
    public void Add_ValuesInOrder_FillsEveryChunkBeforeStartingTheNext()
    {
        var set = new ChunkedSortedSet<long, LongOrder>(Small);

        for (var i = 1; i <= 4 * Small; i++)
        {
            Assert.True(set.Add(i));
        }

        set.Validate();
        Assert.Equal(4, set.ChunkCount);
        Assert.Equal(Enumerable.Range(1, 4 * Small).Select(i => (long)i), ToList(set));
        Assert.Equal((1L, 4L * Small), (set.Min, set.Max));
    }

    [Fact]
    public void AddLargestAndRemoveSmallest_AsAQueue_MakesNoArrayOnceWarm()
    {
        // Pending and running jobs are queues: each new job is the largest sequence, each claim or end takes the oldest.
        // The chunk emptied at the front serves as the next chunk at the end, so the churn allocates nothing.
        var set = new ChunkedSortedSet<long, LongOrder>(Small);
        var next = 0L;
        for (var i = 0; i < 3 * Small; i++)
        {
            set.Add(next++);
        }

        for (var i = 0; i < 4 * Small; i++)
        {
            Churn();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100 * Small; i++)
        {
            Churn();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        set.Validate();
        Assert.Equal(Enumerable.Range((int)next - (3 * Small), 3 * Small).Select(i => (long)i), ToList(set));

        void Churn()
        {
            Assert.True(set.Remove(set.Min));
            Assert.True(set.Add(next++));
        }
    }

    [Fact]
    public void Add_ValueAlreadyHeld_ReturnsFalseAndKeepsOne()
    {
        var set = new ChunkedSortedSet<long, LongOrder>(Small);
        set.Add(5);
        set.Add(7);

        Assert.False(set.Add(5));
        Assert.False(set.Add(7));

        Assert.Equal([5L, 7L], ToList(set));
        Assert.Equal(2, set.Count);
    }

    [Fact]
    public void Add_IntoAFullChunk_SplitsItInHalves()
    {
        var set = new ChunkedSortedSet<long, LongOrder>(Small);
        for (var i = 0; i < Small; i++)
        {
            set.Add(i * 10);
        }

        Assert.Equal(1, set.ChunkCount);

        set.Add(35);
        set.Add(-1);
        set.Add(75);

        set.Validate();
        Assert.Equal(2, set.ChunkCount);
        Assert.Equal([-1L, 0, 10, 20, 30, 35, 40, 50, 60, 70, 75], ToList(set));
    }

    [Fact]
    public void Remove_ChunkDownToAQuarter_MergesWithItsNeighbour()
    {
        var set = new ChunkedSortedSet<long, LongOrder>(Small);
        for (var i = 0; i < 3 * Small; i++)
        {
            set.Add(i);
        }

        Assert.Equal(3, set.ChunkCount);

        // The last chunk down to 4, which is more than a quarter: no merge yet.
        foreach (var value in new long[] { 16, 17, 18, 19 })
        {
            Assert.True(set.Remove(value));
        }

        Assert.Equal(3, set.ChunkCount);

        // The middle chunk down to a quarter (2): with its smaller neighbour, 6, which fits three quarters of a chunk.
        foreach (var value in new long[] { 8, 9, 10, 11, 12, 13 })
        {
            Assert.True(set.Remove(value));
            set.Validate();
        }

        Assert.Equal(2, set.ChunkCount);
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7, 14, 15, 20, 21, 22, 23], ToList(set));
    }

    [Fact]
    public void Remove_EveryValue_LeavesNoChunk()
    {
        var set = new ChunkedSortedSet<long, LongOrder>(Small);
        for (var i = 0; i < 5 * Small; i++)
        {
            set.Add(i);
        }

        for (var i = 0; i < 5 * Small; i++)
        {
            Assert.True(set.Remove(i));
        }

        set.Validate();
        Assert.Equal((0, 0), (set.Count, set.ChunkCount));
        Assert.Throws<InvalidOperationException>(() => set.Min);
        Assert.Throws<InvalidOperationException>(() => set.Max);
        Assert.Empty(ToList(set));
    }

    [Fact]
    public void Remove_ValueNotHeld_ReturnsFalse()
    {
        var set = new ChunkedSortedSet<long, LongOrder>(Small);
        Assert.False(set.Remove(1));
        set.Add(2);

        Assert.False(set.Remove(1));
        Assert.False(set.Remove(3));
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void DescendingBelow_Bound_ListsSmallerValuesLargestFirst()
    {
        var set = new ChunkedSortedSet<long, LongOrder>(Small);
        for (var i = 1; i <= 30; i++)
        {
            set.Add(i * 2);
        }

        Assert.Equal([20L, 18, 16, 14, 12, 10, 8, 6, 4, 2], Descending(set, 22));
        Assert.Equal([20L, 18, 16, 14, 12, 10, 8, 6, 4, 2], Descending(set, 21));
        Assert.Equal(60L, Descending(set, long.MaxValue)[0]);
        Assert.Equal(30, Descending(set, long.MaxValue).Count);
        Assert.Equal([16L, 14, 12, 10, 8, 6, 4, 2], Descending(set, 17));
        Assert.Empty(Descending(set, 2));
        Assert.Empty(Descending(new ChunkedSortedSet<long, LongOrder>(Small), long.MaxValue));
    }

    [Fact]
    public void GetValueRefOrNullRef_HeldValue_ReferenceWritesThroughToTheSet()
    {
        var set = new ChunkedSortedSet<Keyed, KeyedOrder>(Small);
        for (var i = 0; i < 20; i++)
        {
            set.Add(new Keyed(i, $"v{i}"));
        }

        ref var held = ref set.GetValueRefOrNullRef(new Keyed(13, null));
        Assert.Equal("v13", held.Payload);
        held = new Keyed(13, "changed");

        Assert.True(Unsafe.IsNullRef(ref set.GetValueRefOrNullRef(new Keyed(20, null))));
        Assert.Equal("changed", set.GetValueRefOrNullRef(new Keyed(13, null)).Payload);
        Assert.Equal(20, set.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(40)]
    public void Remove_ValueHoldingAReference_DropsTheReference(int removed)
    {
        var set = new ChunkedSortedSet<Keyed, KeyedOrder>(Small);
        var payload = Fill(set, removed);

        Assert.True(set.Remove(new Keyed(removed, null)));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(payload.IsAlive);
        Assert.Equal(47, set.Count);
    }

    /// <summary>
    /// Random adds, removals, lookups and descending listings against a <see cref="SortedSet{T}"/>; after every step the
    /// set's invariants hold and its contents agree with the model.
    /// </summary>
    [Property(MaxTest = 300)]
    public void Operations_RandomSequence_AgreeWithSortedSet(byte[] commands, bool ascending)
    {
        var set = new ChunkedSortedSet<long, LongOrder>(Small);
        var model = new SortedSet<long>();
        var next = 0L;

        foreach (var command in commands)
        {
            // Small values so that removals and duplicates hit; appends in order as the store's sequences do.
            var value = (long)(command % 64);
            switch (command % 5)
            {
                case 0 or 1:
                    Assert.Equal(model.Add(value), set.Add(value));
                    break;
                case 2:
                    Assert.Equal(model.Remove(value), set.Remove(value));
                    break;
                case 3:
                    var appended = ascending ? 64 + next++ : value;
                    Assert.Equal(model.Add(appended), set.Add(appended));
                    break;
                case 4 when model.Count > 0:
                    var oldest = model.Min;
                    Assert.True(set.Remove(oldest));
                    model.Remove(oldest);
                    break;
            }

            set.Validate();
            Assert.Equal(model.Count, set.Count);
            Assert.Equal(model, ToList(set));
            Assert.Equal(model.Reverse().Where(v => v < value), Descending(set, value));
            Assert.Equal(model.Contains(value), !Unsafe.IsNullRef(ref set.GetValueRefOrNullRef(value)));
            if (model.Count > 0)
            {
                Assert.Equal((model.Min, model.Max), (set.Min, set.Max));
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Fill(ChunkedSortedSet<Keyed, KeyedOrder> set, int tracked)
    {
        WeakReference? payload = null;
        for (var i = 0; i < 48; i++)
        {
            var value = new object();
            payload = i == tracked ? new WeakReference(value) : payload;
            set.Add(new Keyed(i, value));
        }

        return payload!;
    }

    private static List<long> ToList(ChunkedSortedSet<long, LongOrder> set)
    {
        var values = new List<long>();
        foreach (var value in set)
        {
            values.Add(value);
        }

        return values;
    }

    private static List<long> Descending(ChunkedSortedSet<long, LongOrder> set, long bound)
    {
        var values = new List<long>();
        foreach (var value in set.DescendingBelow(bound))
        {
            values.Add(value);
        }

        return values;
    }

    private readonly struct LongOrder : IComparer<long>
    {
        public int Compare(long x, long y) => x.CompareTo(y);
    }

    private readonly record struct Keyed(long Key, object? Payload);

    private readonly struct KeyedOrder : IComparer<Keyed>
    {
        public int Compare(Keyed x, Keyed y) => x.Key.CompareTo(y.Key);
    }
}
