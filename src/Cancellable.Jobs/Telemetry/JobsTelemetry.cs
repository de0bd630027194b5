using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cancellable.Jobs.Telemetry;

/// <summary>
/// The library's one <see cref="Meter"/> and one <see cref="ActivitySource"/>, both named <c>Cancellable.Jobs</c>.
/// Job ids are never metric tags; the job type is.
/// </summary>
internal sealed class JobsTelemetry : IDisposable
{
    public const string Name = "Cancellable.Jobs";
    public const string JobTypeTag = "cancellable_jobs.job.type";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _cancelled;
    private readonly UpDownCounter<long> _active;
    private readonly Histogram<double> _duration;

    public JobsTelemetry(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(Name) ?? new Meter(Name);
        _started = _meter.CreateCounter<long>("cancellable_jobs.jobs.started", "{job}", "Job attempts that started running.");
        _completed = _meter.CreateCounter<long>("cancellable_jobs.jobs.completed", "{job}", "Job attempts that completed.");
        _failed = _meter.CreateCounter<long>("cancellable_jobs.jobs.failed", "{job}", "Job attempts that failed.");
        _cancelled = _meter.CreateCounter<long>("cancellable_jobs.jobs.cancelled", "{job}", "Job attempts that were cancelled.");
        _active = _meter.CreateUpDownCounter<long>("cancellable_jobs.jobs.active", "{job}", "Job attempts running in this process.");
        _duration = _meter.CreateHistogram<double>("cancellable_jobs.jobs.duration", "s", "How long job attempts ran.");
    }

    public void Started(string jobType)
    {
        var tag = new KeyValuePair<string, object?>(JobTypeTag, jobType);
        _started.Add(1, tag);
        _active.Add(1, tag);
    }

    public void Ended(string jobType, JobStatus outcome, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>(JobTypeTag, jobType);
        _active.Add(-1, tag);
        _duration.Record(duration.TotalSeconds, tag);
        (outcome switch
        {
            JobStatus.Completed => _completed,
            JobStatus.Failed => _failed,
            _ => _cancelled,
        }).Add(1, tag);
    }

    public void CancelledBeforeStart(string jobType) => _cancelled.Add(1, new KeyValuePair<string, object?>(JobTypeTag, jobType));

    public void Dispose() => _meter.Dispose();
}
