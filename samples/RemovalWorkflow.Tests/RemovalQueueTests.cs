namespace RemovalWorkflow.Tests;

public sealed class RemovalQueueTests
{
    [Fact]
    public void Enqueue_Duplicates_KeepTheFirstPlaceAndCountOnlyNewMembers()
    {
        var queue = new RemovalQueue();

        Assert.Equal(2, queue.Enqueue("1@g.us", ["a", "b"]));
        Assert.Equal(1, queue.Enqueue("1@g.us", ["b", "c"]));

        Assert.Equal(["a", "b", "c"], queue.List("1@g.us"));
        Assert.Empty(queue.List("2@g.us"));
    }

    [Fact]
    public void Dequeue_QueuedAndUnknownMember_RemovesOnlyTheQueuedOne()
    {
        var queue = new RemovalQueue();
        queue.Enqueue("1@g.us", ["a", "b"]);

        Assert.True(queue.Dequeue("1@g.us", "a"));
        Assert.False(queue.Dequeue("1@g.us", "z"));

        Assert.Equal(["b"], queue.List("1@g.us"));
    }
}
