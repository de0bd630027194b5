using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.Tests.Storage;

public sealed class JobChangeSubscribersTests
{
    private static readonly JobChange Change = new(JobChangeKind.Created, new JobSnapshot { Id = "j", Type = "t", Status = JobStatus.Pending, CreatedAt = DateTimeOffset.UnixEpoch });

    [Fact]
    public void Publish_TwoSubscribers_CallsEachInOrderUntilDisposed()
    {
        var subscribers = new JobChangeSubscribers();
        var calls = new List<string>();
        var first = subscribers.Add(_ => calls.Add("first"));
        using var second = subscribers.Add(_ => calls.Add("second"));

        subscribers.Publish(Change);
        first.Dispose();
        first.Dispose();
        subscribers.Publish(Change);

        Assert.Equal(["first", "second", "second"], calls);
    }

    [Fact]
    public void Publish_SubscriberThrows_LaterSubscribersStillCalledAndPublishDoesNotThrow()
    {
        var subscribers = new JobChangeSubscribers();
        var calls = new List<string>();
        using var first = subscribers.Add(_ => throw new InvalidOperationException("subscriber bug"));
        using var second = subscribers.Add(_ => calls.Add("second"));

        subscribers.Publish(Change);

        Assert.Equal(["second"], calls);
    }

    [Fact]
    public void Clear_RemovesEverySubscriber()
    {
        var subscribers = new JobChangeSubscribers();
        var calls = 0;
        subscribers.Add(_ => calls++);

        subscribers.Clear();
        subscribers.Publish(Change);

        Assert.Equal(0, calls);
    }
}
