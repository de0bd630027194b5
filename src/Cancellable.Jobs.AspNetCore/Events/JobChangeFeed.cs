using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Cancellable.Jobs.AspNetCore.Events;

/// <summary>
/// Numbers every change to every job in this process and fans it out to the open <c>GET {prefix}/events</c> streams;
/// remembers the latest change per job (up to a capacity) so a client that reconnects with <c>Last-Event-ID</c> gets the
/// current state of each job that changed since.
/// </summary>
/// <remarks>
/// <para>
/// Event ids are <c>{epoch}-{sequence}</c>; the epoch changes when the process (or the feed) restarts, and a client
/// that resumes from another epoch, or from further back than the feed remembers, is told to reset.
/// </para>
/// <para>
/// A stream gets the changes that <see cref="JobFilter.Matches(JobChange)"/> lets through, so a client filtered by status
/// also sees each job leave that status. On resume, a job's latest change alone may not show that: a job that went from
/// Running to Cancelling to Cancelled since the client's last event has a latest change from Cancelling. So the feed
/// also remembers, per job, when it last left each status, and replays the job to a client filtered by a status the job
/// left since that client's last event.
/// </para>
/// </remarks>
internal sealed class JobChangeFeed(IJobManager manager, int capacity, CancellationToken stopping, ILogger logger)
{
    private const int SubscriberBuffer = 1024;
    private const int StatusCount = (int)JobStatus.Cancelled + 1;
    private readonly object _lock = new();
    private readonly Dictionary<string, Remembered> _latest = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, string> _order = [];
    private readonly List<Subscriber> _subscribers = [];
    private string _epoch = NewEpoch();
    private long _sequence;
    private long _floor;
    private Task? _loop;

    /// <summary>Subscribes to changes to jobs that match <paramref name="filter"/>, resuming after <paramref name="lastEventId"/>.</summary>
    /// <returns>The subscription, the changes to replay first (oldest first), and whether the client must reload.</returns>
    public (Subscriber Subscriber, List<FeedEvent> Replay, bool Reset) Subscribe(JobFilter filter, string? lastEventId)
    {
        lock (_lock)
        {
            if (_loop is null || _loop.IsCompleted)
            {
                if (_loop is not null)
                {
                    Restart();
                }

                // The first MoveNextAsync subscribes to the store before this returns, so no change made after a
                // client's stream opened can be missed.
                var changes = manager.WatchAsync(filter: null, stopping).GetAsyncEnumerator(stopping);
                var first = changes.MoveNextAsync();
                _loop = RunAsync(changes, first);
            }

            var subscriber = new Subscriber(filter);
            _subscribers.Add(subscriber);
            var replay = new List<FeedEvent>();
            if (lastEventId is null)
            {
                return (subscriber, replay, false);
            }

            if (!TryParse(lastEventId, out var since))
            {
                return (subscriber, replay, true);
            }

            // A job that left the status since is replayed too, when the criteria that never change match it.
            var apartFromStatus = filter.Status is null ? null : filter with { Status = null };
            foreach (var (sequence, jobId) in _order)
            {
                if (sequence <= since)
                {
                    continue;
                }

                ref var remembered = ref CollectionsMarshal.GetValueRefOrNullRef(_latest, jobId);
                var change = remembered.Change;
                if (filter.Matches(change)
                    || (apartFromStatus is not null && remembered.Left[(int)filter.Status!.Value] > since && apartFromStatus.Matches(change.Job)))
                {
                    replay.Add(new FeedEvent(Id(sequence), change));
                }
            }

            return (subscriber, replay, false);
        }
    }

    public void Unsubscribe(Subscriber subscriber)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscriber);
        }
    }

    private async Task RunAsync(IAsyncEnumerator<JobChange> changes, ValueTask<bool> first)
    {
        await Task.Yield();
        try
        {
            await using (changes.ConfigureAwait(false))
            {
                var next = first;
                while (await next.ConfigureAwait(false))
                {
                    Publish(changes.Current);
                    next = changes.MoveNextAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            Log.FeedFailed(logger, exception);
        }

        lock (_lock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Complete(reset: !stopping.IsCancellationRequested);
            }

            _subscribers.Clear();
        }
    }

    private void Publish(JobChange change)
    {
        lock (_lock)
        {
            var sequence = ++_sequence;
            ref var remembered = ref CollectionsMarshal.GetValueRefOrAddDefault(_latest, change.Job.Id, out var known);
            if (known)
            {
                _order.Remove(remembered.Sequence);
            }

            remembered.Sequence = sequence;
            remembered.Change = change;
            remembered.Left.Record(change, sequence);
            _order.Add(sequence, change.Job.Id);
            while (_latest.Count > capacity)
            {
                var (oldest, jobId) = _order.First();
                _order.Remove(oldest);
                _latest.Remove(jobId);
                _floor = oldest;
            }

            var feedEvent = new FeedEvent(Id(sequence), change);
            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (!_subscribers[i].Offer(feedEvent))
                {
                    _subscribers.RemoveAt(i);
                }
            }
        }
    }

    private void Restart()
    {
        _epoch = NewEpoch();
        _sequence = 0;
        _floor = 0;
        _latest.Clear();
        _order.Clear();
    }

    private bool TryParse(string lastEventId, out long sequence)
    {
        sequence = 0;
        var dash = lastEventId.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && lastEventId.AsSpan(0, dash).SequenceEqual(_epoch)
            && long.TryParse(lastEventId.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
            && sequence >= _floor
            && sequence <= _sequence;
    }

    private string Id(long sequence) => string.Create(CultureInfo.InvariantCulture, $"{_epoch}-{sequence}");

    private static string NewEpoch() => Guid.NewGuid().ToString("N")[..12];

    /// <summary>What the feed remembers of one job.</summary>
    private struct Remembered
    {
        /// <summary>The sequence of the job's latest change.</summary>
        public long Sequence;

        /// <summary>The job's latest change.</summary>
        public JobChange Change;

        /// <summary>When the job last left each status.</summary>
        public StatusExits Left;
    }

    /// <summary>For each status (by its value), the sequence of the latest change that took the job out of it; 0 for none.</summary>
    [InlineArray(StatusCount)]
    private struct StatusExits
    {
        private long _element;

        /// <summary>Notes the statuses <paramref name="change"/> took the job out of.</summary>
        public void Record(JobChange change, long sequence)
        {
            if (change.Kind != JobChangeKind.Updated)
            {
                return;
            }

            var current = change.Job.Status;
            if (change.PreviousStatus is { } previous)
            {
                if (previous != current)
                {
                    this[(int)previous] = sequence;
                }

                return;
            }

            // A store that cannot tell the previous status: the job may have left any other, as the live rule assumes.
            for (var status = 0; status < StatusCount; status++)
            {
                if (status != (int)current)
                {
                    this[status] = sequence;
                }
            }
        }
    }

    /// <summary>One open stream's queue of changes.</summary>
    internal sealed class Subscriber(JobFilter filter)
    {
        private readonly Channel<FeedEvent> _channel = Channel.CreateBounded<FeedEvent>(new BoundedChannelOptions(SubscriberBuffer) { SingleReader = true });

        /// <summary>Gets a value indicating whether the client must reload: it fell too far behind, or the feed failed.</summary>
        public bool IsReset { get; private set; }

        public ChannelReader<FeedEvent> Reader => _channel.Reader;

        /// <summary>Queues a change; returns <see langword="false"/> when the subscriber is done (too slow, or closed).</summary>
        public bool Offer(FeedEvent feedEvent)
        {
            if (!filter.Matches(feedEvent.Change))
            {
                return true;
            }

            if (_channel.Writer.TryWrite(feedEvent))
            {
                return true;
            }

            Complete(reset: true);
            return false;
        }

        public void Complete(bool reset)
        {
            IsReset |= reset;
            _channel.Writer.TryComplete();
        }
    }
}

/// <summary>A change with its event id; one instance is queued to every stream that sends it.</summary>
internal sealed class FeedEvent(string Id, JobChange Change)
{
    private string? _frame;

    public string Id { get; } = Id;

    public JobChange Change { get; } = Change;

    /// <summary>
    /// Gets the event as the streams write it, formatted once however many streams send it: with many clients,
    /// serializing the job for each of them would cost the jobs' own CPU.
    /// </summary>
    public string GetFrame(Func<FeedEvent, string> format) =>
        Volatile.Read(ref _frame) ?? Interlocked.CompareExchange(ref _frame, format(this), null) ?? _frame!;
}
