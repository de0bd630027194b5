using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.Storage;

/// <summary>The change feed: one pub/sub subscription per store, fanned out to its subscribers in order.</summary>
public sealed partial class RedisJobStore
{
    /// <inheritdoc />
    /// <remarks>
    /// The first subscriber opens the store's subscription to the prefix's channel and waits until Redis confirmed it,
    /// so every change made after this method returns is delivered (unless the connection drops).
    /// </remarks>
    public IDisposable Subscribe(Action<JobChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        lock (_lock)
        {
            if (_feed is null)
            {
                _feed = _connection.GetSubscriber().Subscribe(RedisChannel.Literal(_prefix + "changes"));
                _feed.OnMessage(Deliver);
            }

        }

        return _subscribers.Add(onChange);
    }

    private void Deliver(ChannelMessage message)
    {
        JobChange? change;
        try
        {
            change = RedisJobCodec.ReadChange(((byte[])message.Message!).AsSpan());
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidDataException or ArgumentException)
        {
            Log.ChangeUnreadable(_logger, ex, message.Channel.ToString());
            return;
        }

        if (change is null)
        {
            return;
        }

        _subscribers.Publish(change);
    }
}
