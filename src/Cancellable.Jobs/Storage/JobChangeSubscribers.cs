namespace Cancellable.Jobs.Storage;

/// <summary>
/// The subscribers of a store's change feed: what <see cref="IJobStore.Subscribe"/> hands out, and what the store
/// publishes each change to.
/// </summary>
/// <remarks>
/// Safe for concurrent use. Publishing takes no lock: it reads the subscribers as they were when it started, so a
/// subscriber added meanwhile receives the changes published after it was added.
/// </remarks>
public sealed class JobChangeSubscribers
{
    private readonly object _lock = new();
    private Action<JobChange>[] _subscribers = [];

    /// <summary>Gets the number of subscribers, so that leak tests can see every subscription end.</summary>
    internal int Count => Volatile.Read(ref _subscribers).Length;

    /// <summary>
    /// Adds a subscriber.
    /// </summary>
    /// <param name="onChange">Called with each change published after this call.</param>
    /// <returns>Disposing it removes the subscriber; disposing it again does nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="onChange"/> is <see langword="null"/>.</exception>
    public IDisposable Add(Action<JobChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        lock (_lock)
        {
            _subscribers = [.. _subscribers, onChange];
        }

        return new Subscription(this, onChange);
    }

    /// <summary>
    /// Calls every subscriber with <paramref name="change"/>, in the order they were added.
    /// </summary>
    /// <param name="change">The change the store now holds.</param>
    /// <remarks>
    /// A subscriber that throws does not keep the others from the change, nor fail the write that published it (the
    /// store already holds the change); its exception is dropped.
    /// </remarks>
    public void Publish(JobChange change)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            try
            {
                subscriber(change);
            }
            catch (Exception)
            {
                // A subscriber's exception is its own: the writer and the other subscribers go on.
            }
        }
    }

    /// <summary>
    /// Removes every subscriber, as a store does when it is disposed.
    /// </summary>
    public void Clear()
    {
        lock (_lock)
        {
            _subscribers = [];
        }
    }

    private void Remove(Action<JobChange> onChange)
    {
        lock (_lock)
        {
            _subscribers = Array.FindAll(_subscribers, s => s != onChange);
        }
    }

    private sealed class Subscription(JobChangeSubscribers owner, Action<JobChange> onChange) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(onChange);
            }
        }
    }
}
